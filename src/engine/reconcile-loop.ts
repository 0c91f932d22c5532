/**
 * The reconcile loop: a pass, then a pause of the interval ±10% (so many fleets on one schedule do
 * not hit the git host together), growing exponentially after consecutive failures up to a cap.
 * A stop request ends the pause at once; a pass in flight is given the same stop signal and is
 * awaited, so it finishes (or abandons safely) before the loop returns.
 */
import type { Clock } from '../model/index.js';

/** How a pass ended, as far as the schedule is concerned. */
export type PassVerdict = 'ok' | 'failed' | 'skipped';

export interface LoopOptions {
  intervalMs: number;
  /** Longest pause after failures (default 10 minutes, never below the interval). */
  maxBackoffMs?: number;
  /** Share of the interval a pause may vary by (default 0.1). */
  jitter?: number;
  clock: Clock;
  /** Stop request. */
  signal: AbortSignal;
  /** One pass; receives the stop signal. Throwing counts as a failure. */
  pass: (signal: AbortSignal) => Promise<PassVerdict>;
  /** Told of each pause before it starts. */
  onPause?: (ms: number, failures: number) => void;
  onError?: (err: unknown) => void;
  random?: () => number;
}

/** The pause after a pass: the interval after success, doubled per consecutive failure, capped; ±jitter. */
export function pauseMs(intervalMs: number, failures: number, opts: { maxBackoffMs?: number; jitter?: number; random?: () => number } = {}): number {
  const cap = Math.max(intervalMs, opts.maxBackoffMs ?? 10 * 60_000);
  const base = failures === 0 ? intervalMs : Math.min(cap, intervalMs * 2 ** (failures - 1));
  const jitter = opts.jitter ?? 0.1;
  const r = (opts.random ?? Math.random)();
  return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * r)));
}

/** Runs passes until `signal` aborts. Resolves once the pass in flight (if any) has finished. */
export async function reconcileLoop(opts: LoopOptions): Promise<void> {
  let failures = 0;
  while (!opts.signal.aborted) {
    let verdict: PassVerdict;
    try {
      verdict = await opts.pass(opts.signal);
    } catch (err) {
      opts.onError?.(err);
      verdict = 'failed';
    }
    if (opts.signal.aborted) return;
    // A skipped pass (the fleet was locked by another applier) neither fails nor clears the backoff.
    failures = verdict === 'failed' ? failures + 1 : verdict === 'ok' ? 0 : failures;
    const ms = pauseMs(opts.intervalMs, failures, opts);
    opts.onPause?.(ms, failures);
    try {
      await opts.clock.sleep(ms, opts.signal);
    } catch {
      return;
    }
  }
}
