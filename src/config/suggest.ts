/** "Did you mean …?" for misspelt keys and names. */
import { distance } from 'fastest-levenshtein';

const fold = (s: string): string => s.toLowerCase().replace(/-/g, '_');

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * The candidate closest to `input` by edit distance, when it is close enough to be a plausible
 * typo (about two edits in eight characters); ties go to the earlier candidate.
 */
export function nearest(input: string, candidates: Iterable<string>): string | undefined {
  const want = fold(input);
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestPrefix = -1;
  for (const c of candidates) {
    if (c === input) continue;
    const folded = fold(c);
    const d = distance(want, folded);
    // Equally distant names: the one sharing the longer prefix is the likelier typo target.
    const prefix = commonPrefix(want, folded);
    if (d < bestDistance || (d === bestDistance && prefix > bestPrefix)) {
      best = c;
      bestDistance = d;
      bestPrefix = prefix;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(want.length, best.length) * 0.4));
  return bestDistance <= limit && bestDistance < Math.max(want.length, best.length) ? best : undefined;
}

/** `; did you mean \`x\`?` when a near candidate exists, else `''`. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const hit = nearest(input, candidates);
  return hit === undefined ? '' : `; did you mean \`${hit}\`?`;
}

/** A short human list: `a`, `b`, `c` (at most `max` items, then "…"). */
export function quoteList(items: readonly string[], max = 12): string {
  const shown = items.slice(0, max).map((i) => `\`${i}\``);
  return items.length > max ? `${shown.join(', ')}, …` : shown.join(', ');
}
