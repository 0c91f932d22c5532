/**
 * Whether a new status is worth a commit. A reconcile that found nothing to do still rewrites the
 * status (a new `updated_at`, the no-change history entry re-dated, each node's `last_seen` moved
 * on by its agent's heartbeats); committing that every minute would bury the repository's history,
 * so those timestamps do not count as a change.
 *
 * The status file is written by a deterministic serialiser (same status, same bytes), so two texts
 * say the same thing exactly when they are equal line for line outside those timestamps. Comparing
 * lines keeps this cheap for fleets of thousands of nodes, where parsing the YAML twice would not be.
 * A text written differently (by hand, by another version) simply counts as changed.
 */

/** The line index of the first history entry's `time:`, when that entry records a no-change pass. */
function noChangeHistoryTime(lines: string[]): number | undefined {
  const start = lines.indexOf('history:');
  if (start < 0) return undefined;
  const first = start + 1;
  if (!lines[first]?.startsWith('  - time: ')) return undefined;
  for (let i = first + 1; i < lines.length && (lines[i] ?? '').startsWith('    '); i++) {
    if (lines[i] === '    result: no-changes') return first;
  }
  return undefined;
}

/** A node's `last_seen:` line (nodes are a block sequence of mappings, their keys four spaces in). */
const LAST_SEEN = /^ {4}last_seen: /;

/** True when `next` says something `previous` did not (timestamps of a no-change pass aside). */
export function statusChanged(previous: string | undefined, next: string): boolean {
  if (previous === undefined) return true;
  if (previous === next) return false;
  const a = previous.split('\n');
  const b = next.split('\n');
  if (a.length !== b.length) return true;
  const timeA = noChangeHistoryTime(a);
  const timeB = noChangeHistoryTime(b);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    if (x.startsWith('updated_at: ') && y.startsWith('updated_at: ')) continue;
    if (LAST_SEEN.test(x) && LAST_SEEN.test(y)) continue;
    if (i === timeA && i === timeB) continue;
    return true;
  }
  return false;
}
