/**
 * The backoff after a failed replacement: a pool whose last replacement failed waits 5, then 10,
 * 20 and 30 minutes before health-driven replacements are tried again, so a replacement that
 * cannot succeed (a bad image, no capacity) does not churn machines. A success clears it. Pure:
 * the store keeps the state, so it survives a restart.
 */
import { formatDuration } from '../model/index.js';

export const BACKOFF_MS: readonly number[] = [5 * 60_000, 10 * 60_000, 20 * 60_000, 30 * 60_000];

/** A pool's backoff as the store keeps it. */
export interface PoolBackoff {
  /** Failed replacements in a row. */
  count: number;
  /** Health replacements wait until then (ms). */
  until: number;
  /** Why the last one failed. */
  message: string;
  /** The lifecycle whose failure this counts, so a failure replayed after a restart counts once. */
  last: string;
}

/** The backoff after the failure of lifecycle `id`. */
export function backOff(prev: PoolBackoff | undefined, id: string, message: string, now: number): PoolBackoff {
  if (prev?.last === id) return prev;
  const count = (prev?.count ?? 0) + 1;
  const wait = BACKOFF_MS[Math.min(count, BACKOFF_MS.length) - 1] as number;
  return { count, until: now + wait, message, last: id };
}

/** Pools whose health replacements wait at `now`, with why (the planner's `holdReplacements`). */
export function backoffHolds(backoffs: Readonly<Record<string, PoolBackoff>>, now: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [pool, b] of Object.entries(backoffs)) {
    if (b.until > now) out[pool] = `the last replacement failed (${b.message}); retrying after ${new Date(b.until).toISOString()} (backoff ${formatDuration(BACKOFF_MS[Math.min(b.count, BACKOFF_MS.length) - 1] as number)})`;
  }
  return out;
}
