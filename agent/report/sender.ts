/**
 * Sends the outbox to the control plane, head first, one report at a time, so reports arrive in
 * the order they were made. A failure is retried with exponential backoff and jitter; a new report
 * (`kick`) cuts the wait short, so an urgent event is tried at once. A report the server refuses
 * outright (a 4xx other than auth or not-found) is logged and dropped: it would block everything
 * behind it for ever. A server that says how long to wait (429 or 503 with Retry-After) is left
 * alone at least that long.
 */
import { backoffMs, type Clock } from '../../src/model/index.js';
import type { Logger } from '../../src/log/index.js';
import { ApiError, type ControlPlaneClient } from './client.js';
import type { Outbox } from './outbox.js';

export interface SenderOptions {
  outbox: Outbox;
  client: Pick<ControlPlaneClient, 'health'>;
  clock: Clock;
  log: Logger;
  backoff?: { baseMs: number; maxMs: number };
  /** Called on 404 (the server does not know this node): register again, then carry on. */
  onUnknownNode: () => Promise<void>;
  random?: () => number;
}

export class ReportSender {
  private wake: AbortController = new AbortController();
  private idle: Array<() => void> = [];
  /** Reports delivered since start (tests and logs). */
  sent = 0;

  constructor(private readonly o: SenderOptions) {}

  /** Try now: a report was added. */
  kick(): void {
    this.wake.abort();
  }

  /** Resolves once the outbox is empty (immediately when it is). */
  whenEmpty(): Promise<void> {
    if (this.o.outbox.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async rest(ms: number, signal: AbortSignal): Promise<void> {
    const wake = this.wake.signal;
    if (wake.aborted) {
      this.wake = new AbortController();
      return;
    }
    const both = AbortSignal.any([signal, wake]);
    await this.o.clock.sleep(ms, both).catch(() => undefined);
    if (this.wake.signal.aborted) this.wake = new AbortController();
  }

  async run(signal: AbortSignal): Promise<void> {
    const backoff = this.o.backoff ?? { baseMs: 500, maxMs: 10_000 };
    let failures = 0;
    while (!signal.aborted) {
      const head = this.o.outbox.peek();
      if (!head) {
        for (const f of this.idle.splice(0)) f();
        await this.rest(3_600_000, signal);
        continue;
      }
      try {
        const res = await this.o.client.health(head);
        this.o.outbox.shift(head.id);
        this.sent++;
        if (failures > 0) this.o.log.info({ waiting: this.o.outbox.size }, 'control plane reachable again; sending buffered reports');
        failures = 0;
        this.o.log.debug({ id: head.id, events: head.events.length, stored: res.stored }, 'health report sent');
      } catch (err) {
        if (signal.aborted) return;
        const e = err instanceof ApiError ? err : new ApiError(String(err), 'unreachable');
        if (e.kind === 'rejected' && e.status === 413 && this.o.outbox.shrinkHead(head.id)) {
          this.o.log.warn({ id: head.id, events: head.events.length }, 'the control plane refused a health report as too large; sending it cut down');
          continue;
        }
        if (e.kind === 'rejected') {
          this.o.log.error({ id: head.id, err: e.message }, 'the control plane refused a health report; dropping it');
          this.o.outbox.shift(head.id);
          continue;
        }
        failures++;
        if (e.kind === 'unknown-node') {
          this.o.log.warn('the control plane does not know this node; registering again');
          await this.o.onUnknownNode().catch(() => undefined);
        }
        // The server's Retry-After, when it is longer than our own backoff (within reason: an hour).
        const wait = Math.max(backoffMs(failures, { ...backoff, ...(this.o.random ? { random: this.o.random } : {}) }), Math.min(e.retryAfterMs ?? 0, 3_600_000));
        // Say it once when it starts and now and then while it lasts, not on every retry.
        if (failures === 1 || failures % 20 === 0) {
          this.o.log.warn({ err: e.message, waiting: this.o.outbox.size, retryMs: wait }, 'cannot send health reports; keeping them');
        }
        await this.rest(wait, signal);
      }
    }
  }
}
