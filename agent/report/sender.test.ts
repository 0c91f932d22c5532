import { describe, expect, it } from 'vitest';
import { ManualClock, type HealthReport } from '../../src/model/index.js';
import { silentLogger } from '../../src/log/index.js';
import { ApiError } from './client.js';
import { Outbox } from './outbox.js';
import { ReportSender } from './sender.js';

const report = (i: number): HealthReport => ({ id: `b-${i}`, seq: i, time: '2026-01-01T00:00:00.000Z', checks: [], events: [] });

/** A control plane whose answers the test scripts, one per call. */
class FakeHealth {
  received: string[] = [];
  /** Events of each delivered report, by id. */
  bodies = new Map<string, HealthReport>();
  script: Array<ApiError | 'ok'> = [];
  waiting: Array<() => void> = [];
  calls = 0;
  async health(r: HealthReport): Promise<{ stored: boolean }> {
    this.calls++;
    for (const w of this.waiting.splice(0)) w();
    const next = this.script.shift() ?? 'ok';
    if (next !== 'ok') throw next;
    this.received.push(r.id);
    this.bodies.set(r.id, r);
    return { stored: true };
  }
  /** Resolves after the next call. */
  called(): Promise<void> {
    return new Promise((r) => this.waiting.push(r));
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

function setup() {
  const clock = new ManualClock();
  const outbox = new Outbox({ capacity: 100 });
  const client = new FakeHealth();
  let reRegistered = 0;
  const sender = new ReportSender({
    outbox,
    client,
    clock,
    log: silentLogger,
    backoff: { baseMs: 1000, maxMs: 8000 },
    random: () => 1,
    onUnknownNode: async () => void reRegistered++,
  });
  const ac = new AbortController();
  const done = sender.run(ac.signal);
  return { clock, outbox, client, sender, ac, done, reRegistered: () => reRegistered };
}

describe('ReportSender', () => {
  it('sends in order and goes idle when empty', async () => {
    const s = setup();
    for (let i = 1; i <= 3; i++) s.outbox.push(report(i));
    s.sender.kick();
    await s.sender.whenEmpty();
    expect(s.client.received).toEqual(['b-1', 'b-2', 'b-3']);
    s.ac.abort();
    await s.done;
  });

  it('retries with exponential backoff while unreachable, then replays in order', async () => {
    const s = setup();
    const down = new ApiError('refused', 'unreachable');
    s.client.script = [down, down, down, 'ok'];
    s.outbox.push(report(1));
    s.outbox.push(report(2));
    s.sender.kick();
    await settle();
    expect(s.client.calls).toBe(1);
    // random() = 1: waits are exactly 1 s, 2 s, 4 s.
    s.clock.advance(999);
    await settle();
    expect(s.client.calls).toBe(1);
    s.clock.advance(1);
    await settle();
    expect(s.client.calls).toBe(2);
    s.clock.advance(2000);
    await settle();
    s.clock.advance(4000);
    await s.sender.whenEmpty();
    expect(s.client.received).toEqual(['b-1', 'b-2']);
    s.ac.abort();
    await s.done;
  });

  it("waits as long as the server's Retry-After asks before sending again", async () => {
    const s = setup();
    s.client.script = [new ApiError('429', 'server', 429, 30_000), 'ok'];
    s.outbox.push(report(1));
    s.sender.kick();
    await settle();
    expect(s.client.calls).toBe(1);
    // Our own backoff would be 1 s; the server asked for 30.
    s.clock.advance(29_999);
    await settle();
    expect(s.client.calls).toBe(1);
    s.clock.advance(1);
    await s.sender.whenEmpty();
    expect(s.client.received).toEqual(['b-1']);
    s.ac.abort();
    await s.done;
  });

  it('a new report cuts the wait short', async () => {
    const s = setup();
    s.client.script = [new ApiError('503', 'server', 503)];
    s.outbox.push(report(1));
    s.sender.kick();
    await settle();
    expect(s.client.calls).toBe(1);
    s.outbox.push(report(2));
    s.sender.kick();
    await s.sender.whenEmpty();
    expect(s.client.received).toEqual(['b-1', 'b-2']);
    s.ac.abort();
    await s.done;
  });

  it('drops a report the server refuses, registers again on 404', async () => {
    const s = setup();
    s.client.script = [new ApiError('bad body', 'rejected', 400), new ApiError('who?', 'unknown-node', 404)];
    s.outbox.push(report(1));
    s.outbox.push(report(2));
    s.sender.kick();
    await settle();
    expect(s.reRegistered()).toBe(1);
    s.clock.advance(1000);
    await s.sender.whenEmpty();
    expect(s.client.received).toEqual(['b-2']);
    s.ac.abort();
    await s.done;
  });

  it('cuts a report refused as too large down, urgent events first, instead of dropping it', async () => {
    const s = setup();
    const xid = (n: number) => ({ kind: 'xid' as const, time: '2026-01-01T00:00:00.000Z', xid: 79, gpu: n, message: 'fallen off the bus' });
    const temp = (n: number) => ({ kind: 'thermal' as const, time: '2026-01-01T00:00:00.000Z', gpu: n, temperatureC: 90, throttleReasons: [] });
    s.client.script = [new ApiError('too large', 'rejected', 413), new ApiError('too large', 'rejected', 413)];
    s.outbox.push({ ...report(1), events: [temp(0), xid(1), temp(2), temp(3), xid(4), temp(5), temp(6), temp(7)] });
    s.sender.kick();
    await s.sender.whenEmpty();
    const sent = s.client.bodies.get('b-1');
    // 8 → 4 → 2: both urgent events survive, in their order.
    expect(sent?.events.map((e) => `${e.kind}${'gpu' in e ? (e.gpu ?? '') : ''}`)).toEqual(['xid1', 'xid4']);
    expect(sent?.checks).toEqual([{ name: 'agent-report-trimmed', status: 'warn', message: "6 events were cut from this report to fit the control plane's body limit; urgent events were kept first" }]);
    s.ac.abort();
    await s.done;
  });
});
