/**
 * The backoff after a failed replacement: a pool whose last replacement failed waits 5, then 10,
 * 20 and 30 minutes before health-driven replacements are tried again, so a replacement that
 * cannot succeed (a bad image, no capacity) does not churn machines. A success clears it.
 */
import type { Logger } from '../log/index.js';
import { formatDuration } from '../model/index.js';
import type { Metrics } from './metrics.js';

const BACKOFF_MS = [5 * 60_000, 10 * 60_000, 20 * 60_000, 30 * 60_000];

/** What a replacement came to, as far as the backoff is concerned. */
export interface ReplacementOutcome {
  action: { pool: string };
  result: string;
  message: string;
}

export class ReplacementBackoff {
  private readonly failures = new Map<string, { count: number; until: number; message: string }>();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** Pools whose replacements wait at `now`, with why (the planner's `holdReplacements`). */
  holds(now: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [pool, f] of this.failures) {
      if (f.until > now) out[pool] = `the last replacement failed (${f.message}); retrying after ${new Date(f.until).toISOString()}`;
    }
    return out;
  }

  /** Counts the replacements a reconcile made and starts or clears each pool's backoff. */
  record(results: readonly ReplacementOutcome[], now: number): void {
    for (const r of results) {
      this.metrics.replacements.inc({ pool: r.action.pool, result: r.result });
      if (r.result === 'ok') this.failures.delete(r.action.pool);
      if (r.result !== 'failed') continue;
      const count = (this.failures.get(r.action.pool)?.count ?? 0) + 1;
      const wait = BACKOFF_MS[Math.min(count, BACKOFF_MS.length) - 1] as number;
      this.failures.set(r.action.pool, { count, until: now + wait, message: r.message });
      this.logger.error({ pool: r.action.pool, backoff: formatDuration(wait) }, `replacement failed: ${r.message}`);
    }
  }
}
