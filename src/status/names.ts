/** Node names are `<pool>-<ordinal>`; these helpers read them back from names and tags. */
import { TAG } from '../model/index.js';

/** The ordinal of `name` in `pool`, or -1 when the name does not follow the scheme. */
export function ordinalOf(name: string, pool: string): number {
  if (!pool || !name.startsWith(`${pool}-`)) return -1;
  const rest = name.slice(pool.length + 1);
  return /^[1-9]\d{0,8}$/.test(rest) ? Number(rest) : -1;
}

/** User labels: every tag except navarch's own. */
export function labelsOf(tags: Record<string, string>): Record<string, string> {
  const reserved = new Set<string>(Object.values(TAG));
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) {
    if (!reserved.has(k) && !k.startsWith('navarch-')) out[k] = tags[k] as string;
  }
  return out;
}
