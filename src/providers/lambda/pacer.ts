/**
 * Keeps calls at least `intervalMs` apart on the injected clock. A caller books the earliest time
 * at least `intervalMs` from every time already booked, synchronously, then sleeps until it: no
 * queue of promises, so every wait is a sleep on the clock (tests can tell when all callers wait).
 * Lambda rate-limits per account, so a provider has one pacer for every request and a second one
 * for launches; a launch books the same time in both (see `bookTogether`).
 */
import type { Clock } from '../../model/index.js';

/** Books call times `intervalMs` apart on a clock; see the file comment. */
export class Pacer {
  /** Booked times, ascending. Times older than one interval ago are dropped: they constrain nothing. */
  private booked: number[] = [];
  /** Nobody goes before this (a server's Retry-After). */
  private floor = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    readonly intervalMs: number,
  ) {}

  /** The earliest time at or after `from` (and now) that is `intervalMs` clear of every booked time. */
  earliest(from: number): number {
    const now = this.clock.now();
    this.booked = this.booked.filter((t) => t > now - this.intervalMs);
    let t = Math.max(from, now, this.floor);
    for (const b of this.booked) {
      if (t + this.intervalMs <= b) break;
      if (t < b + this.intervalMs) t = b + this.intervalMs;
    }
    return t;
  }

  /** Books time `t` (from `earliest`). */
  book(t: number): void {
    if (this.intervalMs <= 0) return;
    const i = this.booked.findIndex((b) => b > t);
    if (i < 0) this.booked.push(t);
    else this.booked.splice(i, 0, t);
  }

  /** Books the earliest free time and waits for it. An aborted caller leaves its time unused. */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const t = this.earliest(this.clock.now());
    this.book(t);
    await sleepUntil(this.clock, t, signal);
  }

  /** The server asked for a pause (429 with Retry-After): nobody goes before `now + ms`. */
  holdFor(ms: number): void {
    this.floor = Math.max(this.floor, this.clock.now() + ms);
  }
}

/**
 * Books one time free in every pacer (a launch is also a request), then waits for it. Each pacer's
 * `earliest` only moves forward, so alternating between them reaches a time all of them accept.
 */
export async function bookTogether(clock: Clock, pacers: readonly Pacer[], signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  let t = clock.now();
  for (let settled = false; !settled; ) {
    settled = true;
    for (const p of pacers) {
      const next = p.earliest(t);
      if (next !== t) {
        t = next;
        settled = false;
      }
    }
  }
  for (const p of pacers) p.book(t);
  await sleepUntil(clock, t, signal);
}

async function sleepUntil(clock: Clock, t: number, signal: AbortSignal | undefined): Promise<void> {
  const wait = t - clock.now();
  if (wait > 0) await clock.sleep(wait, signal);
}
