import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, type FleetStatus, type PoolSpec } from '../model/index.js';
import { plan } from '../plan/index.js';
import { candidate, desired, observed, pool } from '../plan/testing.js';
import { fakeCloudAdmin, readFakeState } from '../providers/fake/index.js';
import type { Provider } from '../providers/index.js';
import { fakeProvider, provisionRequest, tempRoot } from '../../test/helpers/fake-cloud.js';
import { apply, type ApplyOptions } from './executor.js';
import type { ApplyEvent } from './events.js';
import { CapacityMemory } from './capacity-memory.js';
import { nodeTags } from './provision.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot('navarch-apply-'));
});
afterEach(async () => {
  await cleanup();
});

const FAST = { attempts: 3, baseMs: 1, maxMs: 5 };

async function setup(pools: PoolSpec[], settings: Record<string, unknown> = {}) {
  const provider = await fakeProvider(root, settings);
  const providers = new Map<string, Provider>([['local', provider]]);
  const d = desired(pools, { root });
  const list = async () => (await readFakeState(root)).instances.filter((i) => i.state !== 'terminated');
  const observeNow = async () => {
    const { observe } = await import('../observe/index.js');
    return (await observe({ desired: d, providers, status: undefined, clock: systemClock })).observed;
  };
  return { provider, providers, d, list, observeNow };
}

function run(opts: Omit<ApplyOptions, 'clock' | 'writeStatus' | 'previousStatus'> & { previousStatus?: FleetStatus }) {
  const events: ApplyEvent[] = [];
  const writes: FleetStatus[] = [];
  const done = apply({
    previousStatus: undefined,
    clock: systemClock,
    retry: FAST,
    writeStatus: async (s) => void writes.push(s),
    onEvent: (e) => events.push(e),
    ...opts,
  });
  return { done, events, writes };
}

describe('apply', () => {
  it('creates the planned nodes and writes the status after every action', async () => {
    const s = await setup([pool('train', { minNodes: 3, targetNodes: 3 })]);
    const p = plan(s.d, await s.observeNow(), { now: 0 });
    const r = run({ plan: p, desired: s.d, observed: await s.observeNow(), providers: s.providers });
    const result = await r.done;
    expect(result.ok).toBe(true);
    expect((await s.list()).map((i) => i.tags['navarch-node']).sort()).toEqual(['train-1', 'train-2', 'train-3']);
    expect(r.writes).toHaveLength(4); // one per action, one final
    expect(r.writes[0]?.nodes).toHaveLength(1);
    expect(result.status.history[0]).toMatchObject({ result: 'applied', actions: 3, summary: '3 to add, 0 to change, 0 to destroy' });
    expect(result.status.pools['train']).toMatchObject({ nodes: 3, last_ordinal: 3, applied: s.d.poolDocuments['train'] });
    const tags = (await s.list())[0]?.tags ?? {};
    expect(tags).toMatchObject({ 'navarch-managed-by': 'navarch', 'navarch-fleet': 'test', 'navarch-pool': 'train' });
  });

  it('adopts what an interrupted run already created instead of creating it twice', async () => {
    const s = await setup([pool('train', { minNodes: 2, targetNodes: 2 })]);
    const p = plan(s.d, await s.observeNow(), { now: 0 });
    // An earlier run created train-1 and died before recording it.
    await s.provider.provision(provisionRequest('train-1', { instanceType: 'f1.8xh100', tags: nodeTags('test', 'train', 'train-1', {}) }));
    const result = await run({ plan: p, desired: s.d, observed: observed([]), providers: s.providers }).done;
    expect(result.ok).toBe(true);
    expect((await s.list()).map((i) => i.tags['navarch-node']).sort()).toEqual(['train-1', 'train-2']);
  });

  it('fails over to the next placement on a capacity error, remembers it, and records why', async () => {
    const a = candidate({ region: 'local-1' });
    const b = candidate({ region: 'local-2', priority: 2 });
    const s = await setup([pool('train', { minNodes: 1, targetNodes: 1, candidates: [a, b] })], { capacity: { 'f1.8xh100': { 'local-1': 0 } } });
    const memory = new CapacityMemory();
    const p = plan(s.d, await s.observeNow(), { now: 0 });
    const r = run({ plan: p, desired: s.d, observed: await s.observeNow(), providers: s.providers, memory });
    const result = await r.done;
    expect(result.ok).toBe(true);
    expect((await s.list())[0]?.region).toBe('local-2');
    expect(r.events.find((e) => e.type === 'failover')).toMatchObject({ from: 'local local-1', to: 'local local-2' });
    expect(result.status.nodes[0]?.placement_note).toBe('local local-1: InsufficientCapacity → local local-2');
    expect(result.status.events.some((e) => e.action === 'failover')).toBe(true);
    expect(memory.unavailable(Date.now())).toEqual([{ provider: 'local', instanceType: 'f1.8xh100', region: 'local-1' }]);
  });

  it('reports a failure when no placement has capacity, naming each one', async () => {
    const s = await setup([pool('train', { minNodes: 1, targetNodes: 1 })], { capacity: { 'f1.8xh100': { '*': 0 } } });
    const p = plan(s.d, await s.observeNow(), { now: 0 });
    const result = await run({ plan: p, desired: s.d, observed: await s.observeNow(), providers: s.providers }).done;
    expect(result.ok).toBe(false);
    expect(result.results[0]?.message).toBe('no placement could take train-1: local local-1: InsufficientCapacity');
    expect(result.status.history[0]?.result).toBe('failed');
  });

  it('backs off and retries when throttled', async () => {
    const s = await setup([pool('train', { minNodes: 1, targetNodes: 1 })], { failures: [{ op: 'provision', error: 'throttled', times: 2 }] });
    const p = plan(s.d, await s.observeNow(), { now: 0 });
    const r = run({ plan: p, desired: s.d, observed: await s.observeNow(), providers: s.providers, retry: { attempts: 4, baseMs: 1, maxMs: 2 } });
    expect((await r.done).ok).toBe(true);
    expect(r.events.filter((e) => e.type === 'retry').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
  });

  it('stops on an auth error without trying elsewhere', async () => {
    const a = candidate({ region: 'local-1' });
    const b = candidate({ region: 'local-2', priority: 2 });
    const s = await setup([pool('train', { minNodes: 1, targetNodes: 1, candidates: [a, b] })], { failures: [{ op: 'provision', error: 'auth' }] });
    const p = plan(s.d, await s.observeNow(), { now: 0 });
    const r = run({ plan: p, desired: s.d, observed: await s.observeNow(), providers: s.providers });
    const result = await r.done;
    expect(result.ok).toBe(false);
    expect(r.events.some((e) => e.type === 'failover')).toBe(false);
    expect(await s.list()).toEqual([]);
  });

  it('refuses a plan that breaks the destroy guard before any provider call or status write', async () => {
    const s = await setup([pool('train', { minNodes: 4, targetNodes: 4 })]);
    await run({ plan: plan(s.d, await s.observeNow(), { now: 0 }), desired: s.d, observed: await s.observeNow(), providers: s.providers }).done;
    const before = JSON.stringify(await readFakeState(root));
    const shrunk = desired([pool('train', { minNodes: 1, targetNodes: 1 })], { root });
    const p = plan(shrunk, await s.observeNow(), { now: 0 });
    expect(p.guards).toHaveLength(1);
    const r = run({ plan: p, desired: shrunk, observed: await s.observeNow(), providers: s.providers });
    await expect(r.done).rejects.toThrow(/destroy guard.*3 of 4 nodes.*--allow-destroy/);
    expect(r.writes).toEqual([]);
    expect(JSON.stringify(await readFakeState(root))).toBe(before);
    const allowed = await run({ plan: p, desired: shrunk, observed: await s.observeNow(), providers: s.providers, allowDestroy: true }).done;
    expect(allowed.ok).toBe(true);
    expect(await s.list()).toHaveLength(1);
  });

  it('brings the replacement up before terminating the old node', async () => {
    const s = await setup([pool('train', { minNodes: 1, targetNodes: 1 })]);
    await run({ plan: plan(s.d, await s.observeNow(), { now: 0 }), desired: s.d, observed: await s.observeNow(), providers: s.providers }).done;
    const [old] = await s.list();
    await fakeCloudAdmin(root).setFailed(old?.id ?? '');
    const o = await s.observeNow();
    const p = plan(s.d, o, { now: 0 });
    expect(p.actions.map((a) => `${a.kind} ${a.order}`)).toEqual(['replace create-before-destroy']);
    const r = run({ plan: p, desired: s.d, observed: o, providers: s.providers });
    const result = await r.done;
    expect(result.ok).toBe(true);
    // The status written between the two steps has both nodes: the new one exists before the old one goes.
    expect(r.writes.some((w) => w.nodes.map((n) => n.name).join() === 'train-1,train-2')).toBe(true);
    expect((await s.list()).map((i) => i.tags['navarch-node'])).toEqual(['train-2']);
  });

  it('hands a replace over to a hook that starts it with apply\'s own steps, and records it as started', async () => {
    const s = await setup([pool('train', { minNodes: 1, targetNodes: 1 })]);
    await run({ plan: plan(s.d, await s.observeNow(), { now: 0 }), desired: s.d, observed: await s.observeNow(), providers: s.providers }).done;
    const [old] = await s.list();
    await fakeCloudAdmin(root).setFailed(old?.id ?? '');
    const o = await s.observeNow();
    const p = plan(s.d, o, { now: 0 });
    const seen: string[] = [];
    const r = run({
      plan: p,
      desired: s.d,
      observed: o,
      providers: s.providers,
      hooks: {
        handOver: async (a, tools) => {
          seen.push(`${a.kind} ${a.existing?.name} → ${a.node}`);
          const instance = await tools.create();
          const message = `started replacing train-1 with ${instance.tags['navarch-node']}`;
          tools.event({ action: 'replace', pool: a.pool, node: a.node, result: 'started', message });
          return { message, instance, finished: false };
        },
      },
    });
    const result = await r.done;
    expect(seen).toEqual(['replace train-1 → train-2']);
    expect(result.ok).toBe(true);
    expect(result.results.map((x) => [x.result, x.message])).toEqual([['started', 'started replacing train-1 with train-2']]);
    expect(result.status.events.at(-1)).toMatchObject({ action: 'replace', result: 'started', message: 'started replacing train-1 with train-2' });
    // The hook decides when the old node goes: apply terminated nothing.
    expect((await s.list()).map((i) => i.tags['navarch-node']).sort()).toEqual(['train-1', 'train-2']);
    expect(result.status.nodes.map((n) => n.name)).toEqual(['train-1', 'train-2']);
    expect(r.events.find((e) => e.type === 'done')).toMatchObject({ started: true });
  });

  it('starts nothing once stopped', async () => {
    const s = await setup([pool('train', { minNodes: 2, targetNodes: 2 })]);
    const p = plan(s.d, await s.observeNow(), { now: 0 });
    const controller = new AbortController();
    controller.abort();
    const result = await run({ plan: p, desired: s.d, observed: await s.observeNow(), providers: s.providers, signal: controller.signal }).done;
    expect(result.results.map((x) => x.result)).toEqual(['skipped', 'skipped']);
    expect(await s.list()).toEqual([]);
    expect(existsSync(join(root, '.navarch/fake-cloud.json'))).toBe(true);
  });
});
