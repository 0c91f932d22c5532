/** Time is injected, never read directly, so tests and the planner are deterministic. */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (or when `signal` aborts, rejecting with its reason). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A clock tests move by hand; `sleep` resolves as soon as `advance` passes its deadline. */
export class ManualClock implements Clock {
  private current: number;
  private waiters: Array<{ at: number; resolve: () => void }> = [];
  /** Sleeps currently waiting (tests use it to know a task reached its wait). */
  get pending(): number {
    return this.waiters.length;
  }
  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter = { at: this.current + ms, resolve };
      signal?.addEventListener(
        'abort',
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        },
        { once: true },
      );
      this.waiters.push(waiter);
      this.flush();
    });
  }
  advance(ms: number): void {
    this.current += ms;
    this.flush();
  }
  private flush(): void {
    const due = this.waiters.filter((w) => w.at <= this.current);
    this.waiters = this.waiters.filter((w) => w.at > this.current);
    for (const w of due) w.resolve();
  }
}
