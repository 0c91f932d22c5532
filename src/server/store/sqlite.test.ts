import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Sqlite from 'node-sqlite3-wasm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldReport, resolvePolicy, type NodeHealthState } from '../../health/index.js';
import type { HealthReport, RegisterRequest } from '../../model/index.js';
import type { Eviction } from './budget.js';
import { lockStore } from './lock.js';
import { SqliteStore } from './sqlite.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const policy = resolvePolicy(undefined);

function registration(over: Partial<RegisterRequest> = {}): RegisterRequest {
  return {
    provider: 'local',
    instanceId: 'fake-1',
    pool: 'train',
    gpus: [{ index: 0, uuid: 'GPU-0', pciBusId: '00000000:3B:00.0', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 }],
    host: { hostname: 'train-1', agentVersion: '0.1.0', bootId: 'boot-a' },
    bootChecks: [],
    ...over,
  };
}

const report = (id: string, seq: number, xids: number[] = []): HealthReport => ({
  id,
  seq,
  time: new Date(T0).toISOString(),
  checks: [{ name: 'nvml', status: 'pass', message: '' }],
  events: xids.map((xid) => ({ kind: 'xid', time: new Date(T0).toISOString(), xid, gpu: 0, message: `xid ${xid}` })),
});

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-store-'));
  store = SqliteStore.open(join(dir, 'cp.db'));
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe('SqliteStore', () => {
  it('registers a node, counting boots', async () => {
    const first = await store.registerNode('train-1', registration(), T0, (s, newBoot) => ({ ...s, evaluations: newBoot ? 1 : 0 }));
    expect(first).toMatchObject({ id: 'train-1', pool: 'train', instanceId: 'fake-1', epoch: 1, bootId: 'boot-a', registeredAt: T0 });
    expect(first.health.evaluations).toBe(1);
    const same = await store.registerNode('train-1', registration(), T0 + 1, (s, newBoot) => ({ ...s, evaluations: newBoot ? 9 : 2 }));
    expect(same.epoch).toBe(1);
    expect(same.health.evaluations).toBe(2);
    const rebooted = await store.registerNode('train-1', registration({ host: { hostname: 'x', agentVersion: '1', bootId: 'boot-b' } }), T0 + 2, (s) => s);
    expect(rebooted.epoch).toBe(2);
  });

  it('refuses heartbeats and reports of unknown nodes, storing nothing', async () => {
    expect(await store.recordHeartbeat('ghost', { seq: 1, time: '', gpus: [], host: {} }, T0)).toBe(false);
    expect(await store.recordReport('ghost', report('r-1', 1, [79]), T0, (r) => ({ health: r.health }))).toBe('unknown-node');
    expect(await store.listNodes()).toEqual([]);
    expect(await store.events('ghost', 10)).toEqual([]);
  });

  it('keeps the newest heartbeat readings when an older one arrives late', async () => {
    await store.registerNode('train-1', registration(), T0, (s) => s);
    const hb = (seq: number, t: number, temp: number) => ({ seq, time: new Date(t).toISOString(), gpus: [{ index: 0, temperatureC: temp }], host: {} });
    await store.recordHeartbeat('train-1', hb(2, T0 + 2000, 70), T0 + 2000);
    await store.recordHeartbeat('train-1', hb(1, T0 + 1000, 50), T0 + 3000);
    const n = await store.getNode('train-1');
    expect(n?.heartbeat?.gpus[0]?.temperatureC).toBe(70);
    expect(n?.lastHeartbeatAt).toBe(T0 + 3000);
  });

  it('stores each report once, with its events in order', async () => {
    await store.registerNode('train-1', registration(), T0, (s) => s);
    const fold = (r: Parameters<Parameters<SqliteStore['recordReport']>[3]>[0]) => ({ health: foldReport(r.health, [], policy, T0) });
    expect(await store.recordReport('train-1', report('boot-a-2', 2, [48, 79]), T0, fold)).toBe('stored');
    expect(await store.recordReport('train-1', report('boot-a-1', 1, [13]), T0, fold)).toBe('stored');
    expect(await store.recordReport('train-1', report('boot-a-2', 2, [48, 79]), T0, fold)).toBe('replay');
    const events = await store.events('train-1', 10);
    expect(events.map((e) => [e.reportSeq, e.index, e.event.kind === 'xid' ? e.event.xid : 0])).toEqual([
      [1, 0, 13],
      [2, 0, 48],
      [2, 1, 79],
    ]);
    expect((await store.getNode('train-1'))?.health.evaluations).toBe(2);
    expect((await store.events('train-1', 1)).map((e) => e.index)).toEqual([1]);
  });

  it('queues commands once per kind and acknowledges each once', async () => {
    const a = await store.enqueueCommand('train-1', { kind: 'cordon', reason: 'XID 79' }, T0);
    const again = await store.enqueueCommand('train-1', { kind: 'cordon' }, T0 + 1);
    expect(a.created).toBe(true);
    expect(again).toEqual({ command: a.command, created: false });
    const drain = await store.enqueueCommand('train-1', { kind: 'drain', params: { timeout: 60 } }, T0 + 2);
    expect((await store.pendingCommands('train-1')).map((c) => c.kind)).toEqual(['cordon', 'drain']);
    const uncordon = await store.enqueueCommand('train-1', { kind: 'uncordon' }, T0 + 2);
    const recordon = await store.enqueueCommand('train-1', { kind: 'cordon' }, T0 + 2);
    expect(recordon.created).toBe(true);
    expect((await store.pendingCommands('train-1')).map((c) => c.kind)).toEqual(['cordon', 'drain', 'uncordon', 'cordon']);
    await store.ackCommand('train-1', uncordon.command.id, { result: 'ok' }, T0);
    await store.ackCommand('train-1', recordon.command.id, { result: 'ok' }, T0);
    expect(await store.ackCommand('train-2', a.command.id, { result: 'ok' }, T0)).toBe('not-found');
    expect(await store.ackCommand('train-1', a.command.id, { result: 'ok', message: 'done' }, T0 + 3)).toBe('acknowledged');
    expect(await store.ackCommand('train-1', a.command.id, { result: 'ok' }, T0 + 4)).toBe('already-acknowledged');
    expect((await store.pendingCommands('train-1')).map((c) => c.id)).toEqual([drain.command.id]);
    const history = await store.commands('train-1', 10);
    expect(history.map((c) => c.kind)).toEqual(['cordon', 'uncordon', 'drain', 'cordon']);
    expect(history.at(-1)).toMatchObject({ id: a.command.id, reason: 'XID 79', ack: { result: 'ok', message: 'done', at: new Date(T0 + 3).toISOString() } });
  });

  it('queues a command with other parameters as a new request, not a repeat', async () => {
    const level1 = await store.enqueueCommand('train-1', { kind: 'run-diagnostic', params: { level: 1 } }, T0);
    const level3 = await store.enqueueCommand('train-1', { kind: 'run-diagnostic', params: { level: 3 } }, T0 + 1);
    const level3Again = await store.enqueueCommand('train-1', { kind: 'run-diagnostic', params: { level: 3 } }, T0 + 2);
    expect(level3.created).toBe(true);
    expect(level3.command.id).not.toBe(level1.command.id);
    expect(level3Again).toEqual({ command: level3.command, created: false });
    expect((await store.pendingCommands('train-1')).map((c) => c.params)).toEqual([{ level: 1 }, { level: 3 }]);
  });

  it('lists reports in the order received, with seq, time, event count and only the checks that did not pass', async () => {
    await store.registerNode('train-1', registration(), T0, (s) => s);
    const warned: HealthReport = { ...report('boot-a-7', 7, [79, 13]), checks: [{ name: 'nvml', status: 'pass', message: '' }, { name: 'agent-buffer', status: 'warn', message: 'merged' }] };
    await store.recordReport('train-1', warned, T0 + 10, (r) => ({ health: r.health }));
    await store.recordReport('train-1', report('boot-a-3', 3), T0 + 20, (r) => ({ health: r.health }));
    await store.recordReport('train-1', warned, T0 + 30, (r) => ({ health: r.health })); // a replay is not a second report
    expect(await store.reports('train-1', 10)).toEqual([
      { nodeId: 'train-1', reportId: 'boot-a-7', seq: 7, time: new Date(T0).toISOString(), receivedAt: T0 + 10, events: 2, checks: [{ name: 'agent-buffer', status: 'warn', message: 'merged' }] },
      { nodeId: 'train-1', reportId: 'boot-a-3', seq: 3, time: new Date(T0).toISOString(), receivedAt: T0 + 20, events: 0, checks: [] },
    ]);
    expect((await store.reports('train-1', 1)).map((r) => r.reportId)).toEqual(['boot-a-3']);
    // Agents number reports from the clock (ms since the epoch): past 32 bits, kept exactly.
    await store.recordReport('train-1', report('boot-a-1767225600123', 1767225600123), T0 + 40, (r) => ({ health: r.health }));
    expect((await store.reports('train-1', 1))[0]?.seq).toBe(1767225600123);
  });

  it('upgrades a store written before reports kept their details', async () => {
    await store.close();
    const path = join(dir, 'old.db');
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;
    const old = new Database(path);
    old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema', '1');
      CREATE TABLE reports (node_id TEXT NOT NULL, id TEXT NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (node_id, id));
      INSERT INTO reports VALUES ('train-1', 'boot-a-1', ${T0});`);
    old.close();
    store = SqliteStore.open(path);
    await store.registerNode('train-1', registration(), T0, (s) => s);
    expect(await store.recordReport('train-1', report('boot-a-1', 1), T0 + 1, (r) => ({ health: r.health }))).toBe('replay');
    await store.recordReport('train-1', report('boot-a-2', 2, [13]), T0 + 2, (r) => ({ health: r.health }));
    expect((await store.reports('train-1', 10)).map((r) => [r.reportId, r.seq ?? null, r.events])).toEqual([
      ['boot-a-1', null, 0],
      ['boot-a-2', 2, 1],
    ]);
    const counted = (await store.usage()).kinds[0]?.bytes;
    expect(counted).toBeGreaterThan(0);
    await store.close();
    store = SqliteStore.open(path); // opening an upgraded store again changes nothing
    expect(await store.reports('train-1', 10)).toHaveLength(2);
    expect((await store.usage()).kinds[0]?.bytes).toBe(counted);
  });

  it('rolls back a failing write alone, keeping the others of its batch', async () => {
    await store.registerNode('train-1', registration(), T0, (s) => s);
    const results = await Promise.allSettled([
      store.recordHeartbeat('train-1', { seq: 1, time: new Date(T0).toISOString(), gpus: [], host: {} }, T0 + 5),
      store.registerNode('train-2', registration(), T0, () => {
        throw new Error('fold failed');
      }),
      store.enqueueCommand('train-1', { kind: 'drain' }, T0),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.listNodes()).map((n) => n.id)).toEqual(['train-1']);
    expect((await store.getNode('train-1'))?.lastHeartbeatAt).toBe(T0 + 5);
  });

  it('keeps everything across a reopen', async () => {
    await store.registerNode('train-1', registration(), T0, (s) => s);
    await store.recordReport('train-1', report('boot-a-1', 1, [79]), T0, (r) => ({ health: r.health }));
    const cmd = await store.enqueueCommand('train-1', { kind: 'cordon' }, T0);
    await store.setCordon('train-1', { cordoned: true, reason: 'XID 79', drainAt: T0 });
    await store.setBreaker('train', { open: true, openedAt: T0, message: 'm' });
    await store.close();
    store = SqliteStore.open(join(dir, 'cp.db'));
    expect(await store.getNode('train-1')).toMatchObject({ cordoned: true, cordonReason: 'XID 79', drainRequestedAt: T0 });
    expect(await store.events('train-1', 10)).toHaveLength(1);
    expect((await store.pendingCommands('train-1')).map((c) => c.id)).toEqual([cmd.command.id]);
    expect(await store.recordReport('train-1', report('boot-a-1', 1, [79]), T0, (r) => ({ health: r.health }))).toBe('replay');
    expect(await store.breakers()).toEqual({ train: { open: true, openedAt: T0, message: 'm' } });
  });

  it('forgets a node entirely, and prunes old reports and events', async () => {
    await store.registerNode('train-1', registration(), T0, (s) => s);
    await store.recordReport('train-1', report('r-1', 1, [13]), T0, (r) => ({ health: r.health }));
    await store.recordReport('train-1', report('r-2', 2, [13]), T0 + 10, (r) => ({ health: r.health }));
    expect(await store.prune(T0 + 5, T0 + 5)).toEqual({ reports: 1, events: 1 });
    await store.enqueueCommand('train-1', { kind: 'drain' }, T0);
    await store.forgetNode('train-1');
    expect(await store.getNode('train-1')).toBeUndefined();
    expect(await store.pendingCommands('train-1')).toEqual([]);
    expect(await store.events('train-1', 10)).toEqual([]);
  });
});

describe('SqliteStore lifecycles', () => {
  const write = (state: string, body: unknown = { step: state }, finished = false) => ({ kind: 'replacement', id: 'replace:train-3', pool: 'train', state, body, finished });

  it('creates a lifecycle once and advances it only from the version it was read at', async () => {
    const created = await store.saveLifecycle(write('started'), 0, T0);
    expect(created).toEqual({ kind: 'replacement', id: 'replace:train-3', pool: 'train', state: 'started', body: { step: 'started' }, version: 1, createdAt: T0, updatedAt: T0, finishedAt: undefined });
    // A second create of the same id (a replayed start) changes nothing.
    expect(await store.saveLifecycle(write('other'), 0, T0 + 1)).toBeUndefined();
    const next = await store.saveLifecycle(write('waiting'), 1, T0 + 2);
    expect(next).toMatchObject({ state: 'waiting', version: 2, updatedAt: T0 + 2 });
    // Two writers that read version 1: the second is refused, and the row is the first's.
    expect(await store.saveLifecycle(write('terminating'), 1, T0 + 3)).toBeUndefined();
    expect(await store.lifecycle('replacement', 'replace:train-3')).toMatchObject({ state: 'waiting', version: 2 });
  });

  it('lists active ones, keeps when each finished, and prunes finished ones', async () => {
    await store.saveLifecycle(write('started'), 0, T0);
    await store.saveLifecycle({ ...write('waiting'), id: 'replace:infer-2', pool: 'infer' }, 0, T0 + 1);
    await store.saveLifecycle({ ...write('started'), kind: 'job-attempt', id: 'a-1' }, 0, T0 + 2);
    expect((await store.lifecycles({ kind: 'replacement', active: true })).map((l) => l.id)).toEqual(['replace:train-3', 'replace:infer-2']);
    await store.saveLifecycle(write('done', { step: 'done' }, true), 1, T0 + 10);
    await store.saveLifecycle(write('done', { step: 'cleaned' }, true), 2, T0 + 20);
    expect((await store.lifecycles({ kind: 'replacement', active: true })).map((l) => l.id)).toEqual(['replace:infer-2']);
    expect(await store.lifecycle('replacement', 'replace:train-3')).toMatchObject({ finishedAt: T0 + 10, body: { step: 'cleaned' } });
    expect(await store.lifecycles()).toHaveLength(3);
    expect(await store.pruneLifecycles(T0 + 11)).toBe(1);
    expect((await store.lifecycles()).map((l) => l.id)).toEqual(['replace:infer-2', 'a-1']);
  });

  it('logs each failure once, and keeps lifecycles, failures and backoffs across a reopen', async () => {
    await store.saveLifecycle(write('waiting'), 0, T0);
    const failure = { node: 'train-1', pool: 'train', since: T0, cause: 'hardware' as const };
    await store.recordFailures([failure, failure]);
    await store.recordFailures([failure, { node: 'train-2', pool: 'train', since: T0 + 50, cause: 'silence' }]);
    await store.setBackoff('train', { count: 1, until: T0 + 300_000, message: 'not ready', last: 'replace:train-3' });
    await store.close();
    store = SqliteStore.open(join(dir, 'cp.db'));
    expect(await store.lifecycle('replacement', 'replace:train-3')).toMatchObject({ state: 'waiting', version: 1 });
    expect(await store.failures(T0)).toEqual([failure, { node: 'train-2', pool: 'train', since: T0 + 50, cause: 'silence' }]);
    expect((await store.failures(T0 + 1)).map((f) => f.node)).toEqual(['train-2']);
    expect(await store.pruneFailures(T0 + 1)).toBe(1);
    expect(await store.backoffs()).toEqual({ train: { count: 1, until: T0 + 300_000, message: 'not ready', last: 'replace:train-3' } });
    await store.setBackoff('train', undefined);
    expect(await store.backoffs()).toEqual({});
  });

  it('upgrades a store of the previous schema with empty lifecycles', async () => {
    await store.close();
    const path = join(dir, 'v3.db');
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;
    const old = new Database(path);
    old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '3');
      CREATE TABLE breakers (pool TEXT PRIMARY KEY, state TEXT NOT NULL); INSERT INTO breakers VALUES ('train', '{"open":false}');`);
    old.close();
    store = SqliteStore.open(path);
    expect(await store.lifecycles()).toEqual([]);
    expect(await store.breakers()).toEqual({ train: { open: false } });
    expect(await store.saveLifecycle(write('started'), 0, T0)).toMatchObject({ version: 1 });
    await store.close();
    const check = new Database(path);
    expect(check.get("SELECT value FROM meta WHERE key = 'schema'")).toEqual({ value: '4' });
    check.close();
    store = SqliteStore.open(path);
  });
});

describe('SqliteStore budget', () => {
  const MiB = 1024 * 1024;
  // A report of `n` events of about 1 KiB each; `keep` ranks them all as never to be dropped.
  const big = (id: string, seq: number, n: number): HealthReport => ({
    id,
    seq,
    time: new Date(T0).toISOString(),
    checks: [],
    events: Array.from({ length: n }, (_, i) => ({ kind: 'xid' as const, time: new Date(T0).toISOString(), xid: 13, gpu: 0, message: `${i} ${'x'.repeat(1000)}` })),
  });
  const low = (r: { health: NodeHealthState }) => ({ health: r.health, retention: { report: 'low' as const, events: Array(20).fill('low') } });
  const keep = (r: { health: NodeHealthState }) => ({ health: r.health, retention: { report: 'low' as const, events: Array(20).fill('keep') } });

  it('stays within its budget, dropping the oldest low records of the node holding the most, never kept ones', async () => {
    const evictions: Eviction[] = [];
    store.limit(4 * MiB, (e) => evictions.push(e));
    for (const id of ['flood', 'quiet']) await store.registerNode(id, registration(), T0, (s) => s);
    await store.recordReport('quiet', big('q-1', 1, 20), T0, low);
    await store.recordReport('flood', big('f-fatal', 1, 20), T0, keep);
    for (let i = 2; i <= 300; i++) await store.recordReport('flood', big(`f-${i}`, i, 20), T0 + i, low);
    const usage = await store.usage();
    expect(usage.kinds).toEqual([{ kind: 'health', bytes: expect.any(Number), maxBytes: 2 * MiB }]);
    expect(usage.kinds[0]?.bytes).toBeLessThanOrEqual(2 * MiB);
    expect(usage.fileBytes).toBeLessThanOrEqual(4 * MiB);
    // The quiet node lost nothing; the flood kept its fatal events and its latest reports.
    expect((await store.events('quiet', 100)).map((e) => e.reportId)).toEqual(Array(20).fill('q-1'));
    const flood = await store.reports('flood', 1000);
    expect(flood[0]?.reportId).toBe('f-fatal');
    expect(flood.at(-1)?.reportId).toBe('f-300');
    expect(flood.length).toBeLessThan(100);
    expect((await store.events('flood', 100_000)).filter((e) => e.reportId === 'f-fatal')).toHaveLength(20);
    expect(evictions.length).toBeGreaterThan(0);
    expect(evictions.every((e) => e.kind === 'health' && e.owners.join() === 'flood' && e.records > 0 && !e.overBudget)).toBe(true);
    // A replay of a report whose record was dropped is stored again, its surviving events untouched.
    expect(await store.recordReport('flood', big('f-2', 2, 20), T0 + 400, low)).toBe('stored');
  });

  it('says when what is left may not be dropped', async () => {
    const evictions: Eviction[] = [];
    store.limit(1 * MiB, (e) => evictions.push(e));
    await store.registerNode('train-1', registration(), T0, (s) => s);
    for (let i = 1; i <= 40; i++) await store.recordReport('train-1', big(`k-${i}`, i, 20), T0 + i, keep);
    expect(await store.events('train-1', 100_000)).toHaveLength(800);
    expect(evictions.at(-1)).toMatchObject({ kind: 'health', records: 0, overBudget: true });
  });

  it('counts what it holds across a reopen, a prune and a forgotten node', async () => {
    await store.registerNode('train-1', registration(), T0, (s) => s);
    await store.registerNode('train-2', registration(), T0, (s) => s);
    await store.recordReport('train-1', big('a-1', 1, 20), T0, low);
    await store.recordReport('train-2', big('b-1', 1, 20), T0 + 10, low);
    const before = (await store.usage()).kinds[0]?.bytes ?? 0;
    expect(before).toBeGreaterThan(40 * 1000);
    await store.close();
    store = SqliteStore.open(join(dir, 'cp.db'));
    expect((await store.usage()).kinds[0]?.bytes).toBe(before);
    await store.prune(T0 + 5, T0 + 5);
    const after = (await store.usage()).kinds[0]?.bytes ?? 0;
    expect(after).toBeLessThan(before);
    expect(after).toBeGreaterThan(20 * 1000);
    await store.forgetNode('train-2');
    expect((await store.usage()).kinds[0]?.bytes).toBe(0);
  });
});

describe('lockStore', () => {
  it('lets one owner in, takes over a lock whose owner is gone', async () => {
    const path = join(dir, 'cp.db.owner');
    const release = lockStore(path);
    expect(() => lockStore(path)).toThrow(/another navarch serve \(pid \d+\) is using this store/);
    release();
    await writeFile(path, JSON.stringify({ pid: 2 ** 22 + 12345 }));
    const again = lockStore(path);
    again();
  });
});
