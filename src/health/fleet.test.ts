import { describe, expect, it } from 'vitest';
import { judgeFleet, type FleetNode, type JudgeFleetInput } from './fleet.js';
import { resolvePolicy } from './policy.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;

/** A registered node last heard from at `lastContactAt`, healthy at its last report. */
function fleetNode(name: string, lastContactAt: number, over: Partial<FleetNode> = {}): FleetNode {
  return {
    name,
    pool: name.replace(/-\d+$/, ''),
    launchedAt: T0,
    registered: { registeredAt: T0, lastContactAt, state: { evaluations: 1, consecutiveUnhealthy: 0, resets: [], last: { health: 'healthy', at: T0 } } },
    cordoned: false,
    ...over,
  };
}

const condemned = (name: string, at: number): FleetNode =>
  fleetNode(name, at, { registered: { registeredAt: T0, lastContactAt: at, state: { evaluations: 2, consecutiveUnhealthy: 1, resets: [], condemned: { reason: 'XID 79', at } } } });

describe('judgeFleet', () => {
  const names = ['train-1', 'train-2', 'train-3', 'train-4', 'train-5'];
  const input = (contact: (id: string) => number, over: Partial<JudgeFleetInput> = {}): JudgeFleetInput => ({
    nodes: names.map((n) => fleetNode(n, contact(n), { cordoned: n === 'train-2' })),
    policyFor: () => resolvePolicy(undefined),
    pools: ['train'],
    breakers: {},
    breakerWindowMs: 10 * MIN,
    watchingSince: T0,
    now: T0 + 6 * MIN,
    ...over,
  });

  it('passes verdicts through while the breaker is closed', () => {
    const j = judgeFleet(input((id) => (id === 'train-1' ? T0 : T0 + 6 * MIN)));
    expect(j.facts.get('train-1')).toMatchObject({ health: 'unhealthy', cordoned: false });
    expect(j.facts.get('train-2')).toEqual({ health: 'healthy', reason: undefined, cordoned: true });
    expect(j.failures).toEqual([{ node: 'train-1', pool: 'train', since: T0 + 5 * MIN, cause: 'silence' }]);
  });

  it('withholds every failure when too many fail at once', () => {
    const j = judgeFleet(input(() => T0));
    expect(j.breakers.get('train')?.transition).toBe('opened');
    expect([...j.facts.values()].map((f) => f.health)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    expect(j.verdicts.get('train-1')?.health).toBe('unhealthy');
  });

  it('judges a node whose agent never registered by its launch time', () => {
    const nodes = names.map((n) => (n === 'train-1' ? fleetNode(n, T0, { registered: undefined }) : fleetNode(n, T0 + 15 * MIN)));
    const j = judgeFleet({ ...input(() => T0), nodes, now: T0 + 16 * MIN, pools: [] });
    expect(j.facts.get('train-1')).toMatchObject({ health: 'unhealthy', reason: 'no agent registered within 15m of launch (launched 2026-01-01T00:00:00.000Z)' });
  });

  it('halts replacement fleet-wide when every small pool goes silent at once', () => {
    // Ten one-node pools: no pool breaker can open (a node may always fail alone), but the fleet's does.
    const fleet = Array.from({ length: 10 }, (_, i) => fleetNode(`p${i}-1`, T0));
    const j = judgeFleet({ ...input(() => T0), nodes: fleet, pools: fleet.map((n) => n.pool) });
    expect([...j.facts.values()].every((f) => f.health === 'unknown')).toBe(true);
    expect(j.breakers.get('*')?.state.open).toBe(true);
    expect(j.breakers.get('*')?.state.message).toMatch(/^the fleet: 10 of 10 nodes \(100%\).*halted in every pool/);
    expect([...j.breakers].filter(([k, b]) => k !== '*' && b.state.open)).toEqual([]);
    // One silent node among ten is a node problem, not the control plane's: it is judged as usual.
    const one = fleet.map((n) => (n.pool === 'p0' ? n : fleetNode(n.name, T0 + 6 * MIN)));
    const k = judgeFleet({ ...input(() => T0), nodes: one, pools: fleet.map((n) => n.pool) });
    expect(k.facts.get('p0-1')?.health).toBe('unhealthy');
    expect(k.breakers.get('*')?.state.open).toBe(false);
  });

  it('counts logged failures of nodes already gone, within the window only', () => {
    // A two-node pool: train-1 failed and was replaced by train-3; now train-2 fails.
    const nodes = [condemned('train-2', T0 + 50), fleetNode('train-3', T0 + 50)];
    const logged = [{ node: 'train-1', pool: 'train', since: T0, cause: 'hardware' as const }];
    const base = { ...input(() => T0), nodes, now: T0 + 100 };
    const j = judgeFleet({ ...base, failures: logged });
    expect(j.breakers.get('train')?.transition).toBe('opened');
    expect(j.breakers.get('train')?.withheld).toEqual(['train-2']);
    expect(j.facts.get('train-2')?.health).toBe('unknown');
    // Without the log the first failure is forgotten once its node is gone.
    expect(judgeFleet(base).breakers.get('train')?.state.open).toBe(false);
    // Past the window it no longer counts.
    const later = judgeFleet({ ...base, nodes: [condemned('train-2', T0 + 11 * MIN), fleetNode('train-3', T0 + 11 * MIN)], failures: logged, now: T0 + 11 * MIN });
    expect(later.breakers.get('train')?.state.open).toBe(false);
    expect(later.facts.get('train-2')?.health).toBe('unhealthy');
  });

  it('does not count preemptions, nor nodes that are not capacity yet', () => {
    const preempted = (name: string): FleetNode =>
      fleetNode(name, T0 + MIN, { registered: { registeredAt: T0, lastContactAt: T0 + MIN, state: { evaluations: 1, consecutiveUnhealthy: 1, resets: [], preempted: { reason: 'spot preemption notice', at: T0 + MIN } } } });
    const j = judgeFleet({ ...input(() => T0), nodes: names.map(preempted), now: T0 + 2 * MIN });
    expect(j.breakers.get('train')?.state.open).toBe(false);
    expect([...j.facts.values()].every((f) => f.health === 'unhealthy')).toBe(true);
    expect(j.failures).toEqual([]);
    // A replacement failing its boot checks is not counted, and does not make the pool any larger.
    const nodes = [condemned('train-1', T0), fleetNode('train-2', T0), condemned('train-3', T0)];
    const k = judgeFleet({ ...input(() => T0), nodes, notCapacity: new Set(['train-3']), now: T0 + 100 });
    expect(k.breakers.get('train')?.state.open).toBe(false);
    expect(k.failures.map((f) => f.node)).toEqual(['train-1']);
  });
});
