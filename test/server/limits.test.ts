/**
 * One node's token cannot fill the control plane's disk: a flood of health reports from one node
 * is answered 429 with Retry-After once past its limit, the store file stays within
 * store_max_bytes (the oldest low-severity records of the flooding node go first, its fatal events
 * never), and another node's reports are accepted and stored all through. An agent replaying a
 * full outbox after an outage is never limited.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, ControlPlaneClient, DEFAULT_BUFFER_SIZE, Outbox, ReportSender } from '../../agent/index.js';
import { createLogger, silentLogger } from '../../src/log/index.js';
import { systemClock, type HealthEvent, type HealthReport } from '../../src/model/index.js';
import { call, T0, xid, startControlPlane, type TestControlPlane } from './helpers.js';

const MiB = 1024 * 1024;
const STORE_MAX = 8 * MiB;
const time = new Date(T0).toISOString();

let t: TestControlPlane;
let logged: Array<{ level: number; msg: string; [k: string]: unknown }>;
afterEach(async () => {
  await t.close();
});

async function start(): Promise<TestControlPlane> {
  logged = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) } });
  return startControlPlane(
    {
      'navarch.yaml': `fleet: gpus\nproviders:\n  local: { type: fake }\ncontrol_plane:\n  store_max_bytes: ${STORE_MAX}\n`,
      'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 0\nhealth:\n  auto_replace: false\n',
    },
    { bodyLimit: 256 * 1024, logger },
  );
}

/** What the flood sends: 50 events of about 4 KB, about 200 KB a report, each with a new id. */
function floodReport(n: number, events: HealthEvent[] = []): HealthReport {
  const filler = Array.from({ length: 50 - events.length }, (_, i): HealthEvent => ({ kind: 'xid', time, xid: 13, gpu: i % 8, message: `NVRM: Xid 13 ${'x'.repeat(3900)}` }));
  return { id: `flood-${n}`, seq: n, time, checks: [{ name: 'nvml', status: 'pass', message: 'ok' }], events: [...events, ...filler] };
}

async function post(id: string, body: unknown): Promise<{ status: number; retryAfter: string | null; body: { stored?: boolean; error?: { code: string } } }> {
  const res = await fetch(`${t.url}/v1/nodes/${id}/health`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.agent(id).token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { stored?: boolean } };
}

async function storeBytes(): Promise<number> {
  const db = join(t.dir, '.navarch/control-plane.db');
  const journal = await stat(`${db}-journal`).then((s) => s.size, () => 0);
  return (await stat(db)).size + journal;
}

describe('a flood from one node', () => {
  it('is refused with 429 and Retry-After past its limit, keeps the store bounded, and never stops another node', { timeout: 120_000 }, async () => {
    t = await start();
    for (const id of ['train-1', 'train-2']) expect((await t.agent(id).register()).status).toBe(200);
    const quiet = t.agent('train-2');

    // The flood's first report carries a fatal XID; the rest are application errors, the lowest retention.
    const first = await post('train-1', floodReport(0, [xid(79, 3)]));
    expect(first.body).toEqual({ stored: true });
    let n = 1;
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    const quietIds: string[] = [];
    let largest = 0;
    for (;;) {
      const batch = await Promise.all(Array.from({ length: 8 }, () => post('train-1', floodReport(n++))));
      refused ??= batch.find((r) => r.status === 429);
      for (const r of batch) expect([200, 429]).toContain(r.status);
      // The other node goes on reporting throughout, and every report of it is stored.
      const q = await quiet.report([xid(13, 1)]);
      expect(q.body).toEqual({ stored: true });
      quietIds.push(`boot-1-${quietIds.length + 1}`);
      largest = Math.max(largest, await storeBytes());
      if (refused) break;
      if (n > 800) throw new Error('the flood was never limited');
    }
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'rate.limited' } } });
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    // Past its limit, everything from the flooding node is refused, and the other node is not.
    for (let i = 0; i < 20; i++) {
      const r = await post('train-1', floodReport(n++));
      expect(r.status).toBe(429);
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect((await quiet.report([xid(13, 1)])).body).toEqual({ stored: true });
      quietIds.push(`boot-1-${quietIds.length + 1}`);
    }
    // The flood sent twice what the store may hold; the store stayed within store_max_bytes.
    expect(n * 200_000).toBeGreaterThan(2 * STORE_MAX);
    expect(largest).toBeLessThanOrEqual(STORE_MAX);
    expect(await storeBytes()).toBeLessThanOrEqual(STORE_MAX);

    expect((await t.store.reports('train-2', 10_000)).map((r) => r.reportId)).toEqual(quietIds);
    expect(await t.store.events('train-2', 10_000)).toHaveLength(quietIds.length);
    const floodEvents = await t.store.events('train-1', 100_000);
    expect(floodEvents.filter((e) => e.event.kind === 'xid' && e.event.xid === 79).map((e) => e.reportId)).toEqual(['flood-0']);
    expect(floodEvents.length).toBeLessThan(n * 50);

    const metrics = (await call<string>(`${t.url}/metrics`)).body;
    expect(metrics).toMatch(/navarch_store_evictions_total\{kind="health"\} [1-9]\d*/);
    expect(metrics).toMatch(/navarch_requests_limited_total\{node="train-1"\} [1-9]\d*/);
    expect(metrics).toContain(`navarch_store_budget_bytes{kind="health"} ${STORE_MAX / 2}`);
    const held = Number(/navarch_store_bytes\{kind="health"\} (\d+)/.exec(metrics)?.[1]);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(STORE_MAX / 2);
    expect(metrics).not.toContain('navarch_requests_limited_total{node="train-2"}');
    // Said in the log: once when the node was first refused, and at each eviction, naming whose records went.
    expect(logged.filter((l) => l.msg.startsWith('node past its request limit'))).toEqual([expect.objectContaining({ node: 'train-1', retryAfterS: expect.any(Number) })]);
    const evicted = logged.filter((l) => l.msg.startsWith('store full: dropped the oldest low-severity records'));
    expect(evicted.length).toBeGreaterThan(0);
    expect(evicted.every((l) => l['kind'] === 'health' && JSON.stringify(l['nodes']) === '["train-1"]')).toBe(true);
  });
});

describe('an agent replaying its outbox', () => {
  it('has every one of a full outbox accepted after an outage', { timeout: 120_000 }, async () => {
    t = await start();
    const agent = t.agent('train-3');
    expect((await agent.register()).status).toBe(200);
    // What the agent buffered while the control plane was unreachable: a report a minute, a full outbox.
    const outbox = new Outbox({ capacity: DEFAULT_BUFFER_SIZE });
    for (let i = 1; i <= DEFAULT_BUFFER_SIZE; i++) {
      const events: HealthEvent[] = i % 10 === 0 ? [{ kind: 'thermal', time, gpu: i % 8, temperatureC: 84, throttleReasons: ['SwPowerCap'] }] : [];
      const checks = ['nvml', 'ecc', 'temperature', 'pcie', 'nvlink', 'xid'].map((name) => ({ name, status: 'pass' as const, message: 'ok' }));
      outbox.push({ id: `boot-9-${i}`, seq: i, time, checks, events });
    }
    expect(outbox.size).toBe(DEFAULT_BUFFER_SIZE);
    const client = new ControlPlaneClient({ server: t.url, nodeId: 'train-3', token: () => agent.token, timeoutMs: 10_000 });
    const failures: string[] = [];
    const ac = new AbortController();
    const sender = new ReportSender({
      outbox,
      client: {
        health: async (r) => {
          try {
            return await client.health(r);
          } catch (err) {
            // Any refusal fails the test at once rather than waiting out a backoff.
            failures.push(err instanceof ApiError ? err.message : String(err));
            ac.abort();
            throw err;
          }
        },
      },
      clock: systemClock,
      log: silentLogger,
      onUnknownNode: async () => undefined,
    });
    const done = sender.run(ac.signal);
    sender.kick();
    await Promise.race([sender.whenEmpty(), done]);
    ac.abort();
    await done;
    expect(failures).toEqual([]);
    expect(await t.store.reports('train-3', 10_000)).toHaveLength(DEFAULT_BUFFER_SIZE);
    // And it goes on heartbeating and polling as usual.
    expect((await agent.heartbeat()).status).toBe(200);
    expect((await agent.commands()).status).toBe(200);
  });
});
