/** Retries with exponential backoff and full jitter, on an injected clock. */
import type { Clock } from './clock.js';
import { ProviderError } from './errors.js';

export interface RetryOptions {
  clock: Clock;
  /** Total tries, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  signal?: AbortSignal | undefined;
  /** Whether `err` is worth another try; default: a retryable ProviderError (throttled, transient). */
  shouldRetry?: (err: unknown) => boolean;
  /** Called before each wait, e.g. to report progress. */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
  /** Source of randomness for jitter (tests pass a constant). */
  random?: () => number;
}

export const isRetryable = (err: unknown): boolean => err instanceof ProviderError && err.retryable;

/** The wait before retry `attempt` (1-based): full jitter over min(max, base·2^(attempt-1)), at least a server's Retry-After. */
export function backoffMs(attempt: number, opts: Pick<RetryOptions, 'baseMs' | 'maxMs' | 'random'>, err?: unknown): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** (attempt - 1));
  const jittered = Math.round(cap * (0.5 + 0.5 * (opts.random ?? Math.random)()));
  const floor = err instanceof ProviderError && err.retryAfterMs !== undefined ? err.retryAfterMs : 0;
  return Math.max(jittered, floor);
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const should = opts.shouldRetry ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.attempts || !should(err) || opts.signal?.aborted) throw err;
      const wait = backoffMs(attempt, opts, err);
      opts.onRetry?.(err, attempt, wait);
      await opts.clock.sleep(wait, opts.signal);
    }
  }
}
