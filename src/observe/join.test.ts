import { describe, expect, it } from 'vitest';
import { ManualClock, TAG, type InFlight, type Instance } from '../model/index.js';
import { desired, node, observed, pool } from '../plan/testing.js';
import type { Provider } from '../providers/index.js';
import { parseStatus, serializeStatus, StatusBook } from '../status/index.js';
import { joinFacts, joinLifecycles, observe } from './observe.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('joinFacts', () => {
  it("puts the control plane's facts in place of what the status file remembered", () => {
    const fleet = observed([node('train', 1, { health: 'healthy' }), node('train', 2, { health: 'unhealthy', healthReason: 'old news' }), node('train', 3, { health: 'degraded' })]);
    const facts = new Map([
      ['train-1', { health: 'unhealthy' as const, reason: 'XID 79', cordoned: true }],
      ['train-2', { health: 'healthy' as const, reason: undefined, cordoned: false }],
    ]);
    const joined = joinFacts(fleet, facts);
    expect(joined.nodes.map((n) => [n.name, n.health, n.healthReason, n.cordoned])).toEqual([
      ['train-1', 'unhealthy', 'XID 79', true],
      ['train-2', 'healthy', undefined, false],
      ['train-3', 'degraded', undefined, false],
    ]);
  });
});

describe('lifecycles in flight', () => {
  const d = desired([pool('train', { minNodes: 2, targetNodes: 2 })]);
  const replacing: InFlight = { id: 'replace:train-3', pool: 'train', old: 'train-1', new: 'train-3', health: true, state: 'waiting', since: new Date(T0).toISOString(), waitingFor: 'train-3: its agent has not registered' };
  const instance = (n: string, id: string): Instance => ({
    id,
    provider: 'local',
    region: 'local-1',
    zone: 'local-1a',
    instanceType: 'f1.8xh100',
    spot: false,
    state: 'running',
    tags: { [TAG.managedBy]: 'navarch', [TAG.fleet]: 'test', [TAG.pool]: 'train', [TAG.node]: n },
    launchedAt: undefined,
    privateIp: undefined,
    publicIp: undefined,
  });
  const cloud = (instances: Instance[]): Provider => ({
    name: 'local',
    type: 'fake',
    provision: () => Promise.reject(new Error('not here')),
    terminate: () => Promise.resolve(),
    list: () => Promise.resolve(instances),
  });

  it('are written on their nodes in the status file and read back by any later observation', async () => {
    const nodes = [node('train', 1, { instanceId: 'i-1' }), node('train', 2, { instanceId: 'i-2' }), node('train', 3, { instanceId: 'i-3' })];
    const book = new StatusBook(d, observed(nodes, { lifecycles: [replacing] }), undefined, () => new Date(T0).toISOString());
    const status = parseStatus(serializeStatus(book.snapshot()), 'status/fleet.yaml');
    expect(status.nodes.map((n) => [n.name, n.lifecycle?.role, n.lifecycle?.peer])).toEqual([
      ['train-1', 'old', 'train-3'],
      ['train-2', undefined, undefined],
      ['train-3', 'new', 'train-1'],
    ]);
    expect(status.nodes[0]?.lifecycle).toEqual({ id: 'replace:train-3', role: 'old', peer: 'train-3', state: 'waiting', since: new Date(T0).toISOString(), health: true, waiting_for: 'train-3: its agent has not registered' });

    const providers = new Map([['local', cloud([instance('train-1', 'i-1'), instance('train-2', 'i-2'), instance('train-3', 'i-3')])]]);
    const seen = await observe({ desired: d, providers, status, clock: new ManualClock(T0) });
    expect(seen.observed.lifecycles).toEqual([replacing]);
    // Only from nodes still listed: once both are gone, nothing is owned.
    const later = await observe({ desired: d, providers: new Map([['local', cloud([instance('train-2', 'i-2')])]]), status, clock: new ManualClock(T0) });
    expect(later.observed.lifecycles).toBeUndefined();
  });

  it("are the control plane's own, plus those recorded that it does not know of", () => {
    const other: InFlight = { ...replacing, id: 'replace:train-9', old: 'train-2', new: 'train-9' };
    const fleet = observed([], { lifecycles: [replacing, other] });
    const mine = { ...replacing, state: 'terminating' };
    // The store knows replace:train-3 (here in flight); a finished one of its own is not brought back from the file.
    expect(joinLifecycles(fleet, [mine], new Set(['replace:train-3'])).lifecycles).toEqual([mine, other]);
    expect(joinLifecycles(fleet, [], new Set(['replace:train-3', 'replace:train-9'])).lifecycles).toBeUndefined();
  });
});
