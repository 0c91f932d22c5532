import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../health/index.js';
import type { Plan } from '../model/index.js';
import { plan } from '../plan/index.js';
import { desired, node, observed, pool } from '../plan/testing.js';
import { withBreakerConditions } from './conditions.js';
import { joinFacts, judgeFleet } from './facts.js';
import { withoutGuardedActions } from './guarded.js';
import { parseControlPlane, parseListen } from './settings.js';
import type { NodeRecord } from './store/index.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;

function record(id: string, lastContactAt: number): NodeRecord {
  return {
    id,
    pool: 'train',
    provider: 'local',
    instanceId: `fake-${id}`,
    bootId: 'b',
    epoch: 1,
    registeredAt: T0,
    registration: { provider: 'local', instanceId: `fake-${id}`, gpus: [], host: { hostname: id, agentVersion: '1' }, bootChecks: [] },
    lastHeartbeatAt: lastContactAt,
    heartbeat: undefined,
    lastReportAt: T0,
    checks: [],
    health: { evaluations: 1, consecutiveUnhealthy: 0, resets: [], last: { health: 'healthy', at: T0 } },
    cordoned: id === 'train-2',
    cordonReason: undefined,
    drainRequestedAt: undefined,
  };
}

describe('judgeFleet', () => {
  const nodes = [1, 2, 3, 4, 5].map((o) => node('train', o, { launchedAt: new Date(T0).toISOString() }));
  const input = (contact: (id: string) => number) => ({
    nodes,
    records: new Map(nodes.map((n) => [n.name, record(n.name, contact(n.name))])),
    policyFor: () => resolvePolicy(undefined),
    pools: ['train'],
    breakers: {},
    breakerWindowMs: 10 * MIN,
    watchingSince: T0,
    now: T0 + 6 * MIN,
  });

  it('passes verdicts through while the breaker is closed', () => {
    const j = judgeFleet(input((id) => (id === 'train-1' ? T0 : T0 + 6 * MIN)));
    expect(j.facts.get('train-1')).toMatchObject({ health: 'unhealthy', cordoned: false });
    expect(j.facts.get('train-2')).toEqual({ health: 'healthy', reason: undefined, cordoned: true });
    const joined = joinFacts(observed(nodes), j.facts);
    expect(joined.nodes.map((n) => n.health)).toEqual(['unhealthy', 'healthy', 'healthy', 'healthy', 'healthy']);
  });

  it('withholds every failure when too many fail at once', () => {
    const j = judgeFleet(input(() => T0));
    expect(j.breakers.get('train')?.transition).toBe('opened');
    expect([...j.facts.values()].map((f) => f.health)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    expect(j.verdicts.get('train-1')?.health).toBe('unhealthy');
  });

  it('judges a node whose agent never registered by its launch time', () => {
    const others = new Map(nodes.filter((n) => n.name !== 'train-1').map((n) => [n.name, record(n.name, T0 + 15 * MIN)]));
    const j = judgeFleet({ ...input(() => T0), records: others, now: T0 + 16 * MIN, pools: [] });
    expect(j.facts.get('train-1')).toMatchObject({ health: 'unhealthy', reason: 'no agent registered within 15m of launch (launched 2026-01-01T00:00:00.000Z)' });
  });

  it('halts replacement fleet-wide when every small pool goes silent at once', () => {
    // Ten one-node pools: no pool breaker can open (a node may always fail alone), but the fleet's does.
    const fleet = Array.from({ length: 10 }, (_, i) => node(`p${i}`, 1, { launchedAt: new Date(T0).toISOString() }));
    const records = new Map(fleet.map((n) => [n.name, record(n.name, T0)]));
    const j = judgeFleet({ ...input(() => T0), nodes: fleet, records, pools: fleet.map((n) => n.pool), breakers: {}, now: T0 + 6 * MIN });
    expect([...j.facts.values()].every((f) => f.health === 'unknown')).toBe(true);
    expect(j.breakers.get('*')?.state.open).toBe(true);
    expect(j.breakers.get('*')?.state.message).toMatch(/^the fleet: 10 of 10 nodes \(100%\).*halted in every pool/);
    expect([...j.breakers].filter(([k, b]) => k !== '*' && b.state.open)).toEqual([]);
    // One silent node among ten is a node problem, not the control plane's: it is judged as usual.
    const one = new Map(fleet.map((n) => [n.name, record(n.name, n.pool === 'p0' ? T0 : T0 + 6 * MIN)]));
    const k = judgeFleet({ ...input(() => T0), nodes: fleet, records: one, pools: fleet.map((n) => n.pool), breakers: {}, now: T0 + 6 * MIN });
    expect(k.facts.get('p0-1')?.health).toBe('unhealthy');
    expect(k.breakers.get('*')?.state.open).toBe(false);
  });
});

describe('withoutGuardedActions', () => {
  it('drops the destroys that break the guard and keeps health replacements', () => {
    const d = desired([pool('train', { minNodes: 1, targetNodes: 1 })]);
    const o = observed([node('train', 1), node('train', 2, { health: 'unhealthy', healthReason: 'XID 79' }), node('train', 3), node('train', 4), node('train', 5)]);
    const p: Plan = plan(d, o, { now: T0 });
    expect(p.guards).toHaveLength(1);
    const safe = withoutGuardedActions(p);
    expect(safe.guards).toEqual([]);
    expect(safe.actions.map((a) => `${a.kind} ${a.node} ${a.reason.code}`)).toEqual(['destroy train-2 unhealthy']);
    expect(safe.summary).toEqual({ add: 0, change: 0, destroy: 1 });
    expect(safe.warnings.at(-1)).toContain('those actions were skipped');
  });
});

describe('settings', () => {
  it('fills defaults and reads durations', () => {
    const s = parseControlPlane({ interval: '30s', notifier: { type: 'webhook', url: 'https://x', drain_timeout: '2m' } });
    expect(s).toMatchObject({ intervalMs: 30_000, store: '.navarch/control-plane.db', heartbeatIntervalMs: 30_000, listen: { host: '0.0.0.0', port: 7600 }, notifier: { type: 'webhook', drainTimeoutMs: 120_000 } });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseListen('localhost')).toThrow('expected HOST:PORT');
    expect(() => parseListen('a:70000')).toThrow('expected HOST:PORT');
  });
});

describe('status conditions', () => {
  it('adds RemediationHalted, moving since only on a change', () => {
    const base = { pools: { train: { conditions: [] } }, updated_at: '2026-01-01T00:10:00.000Z' } as unknown as Parameters<typeof withBreakerConditions>[0];
    const open = withBreakerConditions(base, { train: { open: true, openedAt: T0, message: 'halted' } }, undefined);
    expect(open.pools['train']?.conditions).toEqual([{ type: 'RemediationHalted', status: 'True', reason: 'CircuitBreakerOpen', message: 'halted', since: '2026-01-01T00:00:00.000Z' }]);
    const later = withBreakerConditions({ ...base, updated_at: '2026-01-01T01:00:00.000Z' }, { train: { open: true, openedAt: T0 } }, open);
    expect(later.pools['train']?.conditions[0]?.since).toBe('2026-01-01T00:00:00.000Z');
    const closed = withBreakerConditions(base, {}, open);
    expect(closed.pools['train']?.conditions[0]).toMatchObject({ status: 'False', since: '2026-01-01T00:10:00.000Z' });
  });
});
