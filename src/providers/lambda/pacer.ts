/**
 * Spaces calls at least `intervalMs` apart on the injected clock, first come first served. Each
 * caller reserves the next free slot synchronously and then sleeps until it, so callers leave in
 * the order they arrived without a queue of their own. Lambda rate-limits per account: one pacer
 * per provider for all requests, and a second, slower one in front of launches.
 */
import type { Clock } from '../../model/index.js';

export class Pacer {
  /** Earliest clock time the next caller may go. */
  private next = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** Waits for this caller's slot. A caller aborted while waiting leaves its slot unused. */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.clock.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.intervalMs;
    if (slot > now) await this.clock.sleep(slot - now, signal);
  }

  /** The server asked for a pause (429 with Retry-After): nobody goes before `now + ms`. */
  holdFor(ms: number): void {
    this.next = Math.max(this.next, this.clock.now() + ms);
  }
}
