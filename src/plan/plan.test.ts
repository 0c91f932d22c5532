import { describe, expect, it } from 'vitest';
import { planHasChanges } from '../model/index.js';
import { plan } from './plan.js';
import { observedDigest } from './digest.js';
import { candidate, desired, node, observed, pool } from './testing.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const kinds = (p: ReturnType<typeof plan>): string[] => p.actions.map((a) => `${a.kind} ${a.node}${a.existing && a.kind !== 'destroy' && a.kind !== 'update' ? ` (was ${a.existing.name})` : ''}`);

describe('plan: sizing', () => {
  it('creates a new pool up to its target with fresh names', () => {
    const p = plan(desired([pool('train', { minNodes: 2, targetNodes: 2 })]), observed([]), { now: NOW });
    expect(kinds(p)).toEqual(['create train-1', 'create train-2']);
    expect(p.summary).toEqual({ add: 2, change: 0, destroy: 0 });
    expect(p.actions[0]?.reason).toEqual({ code: 'below-target', message: 'pool "train" has 0 of 2 nodes' });
    expect(p.cost).toMatchObject({ before: 0, after: 47.84, delta: 47.84 });
    expect(p.pools[0]).toMatchObject({ name: 'train', change: 'create', nodesBefore: 0, nodesAfter: 2 });
    expect(p.createdAt).toBe('2026-03-01T12:00:00.000Z');
  });

  it('plans nothing when the pool matches', () => {
    const d = desired([pool('train')]);
    const o = observed([node('train', 1), node('train', 2)], {
      pools: { train: { name: 'train', lastOrdinal: 2, protect: false, applied: d.poolDocuments['train'] } },
    });
    const p = plan(d, o, { now: NOW });
    expect(p.actions).toEqual([]);
    expect(p.summary).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(planHasChanges(p)).toBe(false);
    expect(p.cost.before).toBe(p.cost.after);
  });

  it('never reuses a name: ordinals continue after the highest recorded or observed', () => {
    const d = desired([pool('train', { minNodes: 3, targetNodes: 3 })]);
    const o = observed([node('train', 4)], { pools: { train: { name: 'train', lastOrdinal: 7, protect: false, applied: undefined } } });
    expect(kinds(plan(d, o, { now: NOW }))).toEqual(['create train-8', 'create train-9']);
  });

  it('scales down newest first', () => {
    const d = desired([pool('train', { minNodes: 2, targetNodes: 2 })]);
    const o = observed([node('train', 1), node('train', 2), node('train', 3), node('train', 4)]);
    const p = plan(d, o, { now: NOW });
    expect(kinds(p)).toEqual(['destroy train-4', 'destroy train-3']);
    expect(p.actions[0]?.reason).toEqual({ code: 'above-target', message: 'pool "train" has 4 nodes, target is 2' });
    expect(p.summary).toEqual({ add: 0, change: 0, destroy: 2 });
    expect(p.guards).toEqual([]); // 50% is allowed
    expect(p.cost.delta).toBe(-47.84);
  });

  it('is independent of the order nodes were listed in and byte-identical for equal inputs', () => {
    const d = desired([pool('a', { minNodes: 1, targetNodes: 1 }), pool('b', { minNodes: 3, targetNodes: 3 })]);
    const nodes = [node('a', 1), node('a', 2), node('b', 5), node('a', 3)];
    const one = JSON.stringify(plan(d, observed(nodes), { now: NOW }));
    const two = JSON.stringify(plan(d, observed([...nodes].reverse()), { now: NOW }));
    expect(one).toBe(two);
    expect(JSON.stringify(plan(d, observed(nodes), { now: NOW }))).toBe(one);
  });
});

describe('plan: replacement', () => {
  it('replaces nodes whose instance type is no longer a placement, create-before-destroy with headroom', () => {
    const d = desired([pool('train', { maxNodes: 4, candidates: [candidate({ instanceType: 'f1.8xb200' })] })]);
    const o = observed([node('train', 1), node('train', 2)]);
    const p = plan(d, o, { now: NOW });
    expect(kinds(p)).toEqual(['replace train-3 (was train-1)', 'replace train-4 (was train-2)']);
    expect(p.actions.map((a) => a.order)).toEqual(['create-before-destroy', 'create-before-destroy']);
    expect(p.actions[0]?.reason).toEqual({ code: 'spec-changed', message: 'instance type changed: f1.8xh100 → f1.8xb200' });
    expect(p.summary).toEqual({ add: 2, change: 0, destroy: 2 });
    expect(p.cost.delta).toBeCloseTo(2 * (39.92 - 23.92), 6);
    // Replacing every node for a spec change is a destroy of 100% of the pool.
    expect(p.guards).toHaveLength(1);
    expect(p.guards[0]?.message).toContain('2 of 2 nodes (100%)');
  });

  it('destroys before creating once the pool is at max_nodes', () => {
    const d = desired([pool('train', { minNodes: 2, targetNodes: 2, maxNodes: 3, candidates: [candidate({ spot: true })] })]);
    const p = plan(d, observed([node('train', 1), node('train', 2)]), { now: NOW });
    expect(p.actions.map((a) => a.order)).toEqual(['create-before-destroy', 'destroy-before-create']);
    expect(p.actions[0]?.reason.message).toBe('market changed: on-demand → spot');
  });

  it('replaces an unhealthy node with the reason an operator can act on, outside the destroy guard', () => {
    const why = 'XID 79 on GPU 3 (0000:3b:00.0): GPU has fallen off the bus';
    const d = desired([pool('train')]);
    const p = plan(d, observed([node('train', 1, { health: 'unhealthy', healthReason: why }), node('train', 2)]), { now: NOW });
    expect(kinds(p)).toEqual(['replace train-3 (was train-1)']);
    expect(p.actions[0]?.reason).toEqual({ code: 'unhealthy', message: why });
    expect(p.guards).toEqual([]);
  });

  it('leaves unhealthy nodes alone when auto_replace is off', () => {
    const d = desired([pool('train', { health: { unhealthyAfter: 2, autoReplace: false } })]);
    const p = plan(d, observed([node('train', 1, { health: 'unhealthy' }), node('train', 2)]), { now: NOW });
    expect(p.actions).toEqual([]);
  });

  it('replaces failed instances', () => {
    const p = plan(desired([pool('train')]), observed([node('train', 1, { state: 'failed' }), node('train', 2)]), { now: NOW });
    expect(p.actions[0]).toMatchObject({ kind: 'replace', reason: { code: 'failed', message: 'the cloud reports fake-train-1 as failed' } });
  });

  it('drops troubled nodes first when the pool also shrinks', () => {
    const d = desired([pool('train', { minNodes: 1, targetNodes: 1 })]);
    const o = observed([node('train', 1), node('train', 2, { health: 'unhealthy', healthReason: 'XID 48' })]);
    const p = plan(d, o, { now: NOW });
    expect(kinds(p)).toEqual(['destroy train-2']);
    expect(p.actions[0]?.reason.message).toBe('XID 48; not replaced: pool "train" has 2 nodes, target is 1');
  });

  it('ignores nodes already stopping', () => {
    const p = plan(desired([pool('train')]), observed([node('train', 1), node('train', 2, { state: 'stopping' })]), { now: NOW });
    expect(kinds(p)).toEqual(['create train-3']);
  });
});

describe('plan: removal, protection, orphans, gaps', () => {
  const recorded = (name: string, protect = false) => ({ [name]: { name, lastOrdinal: 2, protect, applied: { name } } });

  it('destroys the nodes of a removed pool and trips the destroy guard', () => {
    const p = plan(desired([]), observed([node('old', 1), node('old', 2)], { pools: recorded('old') }), { now: NOW });
    expect(kinds(p)).toEqual(['destroy old-1', 'destroy old-2']);
    expect(p.actions[0]?.reason).toEqual({ code: 'pool-removed', message: 'pool "old" is no longer declared' });
    expect(p.guards[0]).toMatchObject({ pool: 'old', destroying: 2, total: 2, limitPercent: 50 });
    expect(p.pools).toEqual([expect.objectContaining({ name: 'old', change: 'delete', nodesBefore: 2, nodesAfter: 0 })]);
  });

  it('never destroys a protected pool', () => {
    const p = plan(desired([]), observed([node('prod', 1)], { pools: recorded('prod', true) }), { now: NOW });
    expect(p.actions).toEqual([]);
    expect(p.warnings).toEqual(['pool "prod" is protected: node prod-1 kept although the pool is no longer declared']);
    const shrink = plan(
      desired([pool('prod', { minNodes: 0, targetNodes: 0, protect: true })]),
      observed([node('prod', 1)]),
      { now: NOW },
    );
    expect(shrink.actions).toEqual([]);
    expect(shrink.warnings[0]).toContain('pool "prod" is protected: node prod-1 kept although it should be destroyed');
  });

  it('reports orphans by default and destroys them when configured', () => {
    const stray = node('', -1, { name: '', instanceId: 'fake-999' });
    const report = plan(desired([]), observed([stray]), { now: NOW });
    expect(report.actions).toEqual([]);
    expect(report.warnings[0]).toContain('instance fake-999 (local local-1 f1.8xh100) carries fleet "test" tags');
    const d = desired([]);
    const destroy = plan({ ...d, settings: { ...d.settings, orphans: 'destroy' } }, observed([stray]), { now: NOW });
    expect(destroy.actions).toMatchObject([{ kind: 'destroy', node: 'fake-999', reason: { code: 'orphan' } }]);
    expect(destroy.guards).toEqual([]);
  });

  it('leaves pools on a provider that could not be listed untouched', () => {
    const p = plan(desired([pool('train')]), observed([], { gaps: [{ provider: 'local', reason: 'throttled' }] }), { now: NOW });
    expect(p.actions).toEqual([]);
    expect(p.warnings).toEqual(['provider "local" could not be listed (throttled); pools placed on it are left unchanged']);
  });
});

describe('plan: updates, placements, pool diffs, digests', () => {
  it('retags nodes whose labels differ from the pool', () => {
    const p = plan(desired([pool('train', { labels: { team: 'b' } })]), observed([node('train', 1, { labels: { team: 'a' } }), node('train', 2, { labels: { team: 'b' } })]), { now: NOW });
    expect(p.actions).toMatchObject([{ kind: 'update', node: 'train-1', labels: { before: { team: 'a' }, after: { team: 'b' } } }]);
    expect(p.summary).toEqual({ add: 0, change: 1, destroy: 0 });
  });

  it('plans no relabel on a provider that cannot relabel in place', () => {
    const p = plan(desired([pool('train', { labels: { team: 'b' } })]), observed([node('train', 1, { labels: { team: 'a' } }), node('train', 2, { labels: { team: 'a' } })]), {
      now: NOW,
      fixedLabels: new Set(['local']),
    });
    expect(p.actions).toEqual([]);
  });

  it('tries recently exhausted offerings last', () => {
    const a = candidate({ provider: 'local', region: 'local-1' });
    const b = candidate({ provider: 'local', region: 'local-2', priority: 2 });
    const d = desired([pool('train', { minNodes: 1, targetNodes: 1, candidates: [a, b] })]);
    const p = plan(d, observed([]), { now: NOW, unavailable: [{ provider: 'local', instanceType: 'f1.8xh100', region: 'local-1' }] });
    expect(p.actions[0]?.placements.map((c) => c.region)).toEqual(['local-2', 'local-1']);
  });

  it('diffs the pool document against what was last applied', () => {
    const d = desired([pool('train', { minNodes: 4, targetNodes: 4 })]);
    const o = observed([node('train', 1), node('train', 2)], {
      pools: { train: { name: 'train', lastOrdinal: 2, protect: false, applied: { name: 'train', min_nodes: 2, max_nodes: 10 } } },
    });
    const p = plan(d, o, { now: NOW });
    expect(p.pools[0]).toMatchObject({ change: 'update', patch: [{ op: 'test', path: '/min_nodes', value: 2 }, { op: 'replace', path: '/min_nodes', value: 4 }], nodesBefore: 2, nodesAfter: 4 });
    expect(p.summary).toEqual({ add: 2, change: 0, destroy: 0 });
  });

  it('prices spot and on-demand separately', () => {
    const d = desired([pool('s', { minNodes: 1, targetNodes: 1, candidates: [candidate({ spot: true })] }), pool('o', { minNodes: 1, targetNodes: 1 })]);
    const p = plan(d, observed([]), { now: NOW });
    expect(p.cost.spot.after).toBeCloseTo(9.57, 2);
    expect(p.cost.onDemand.after).toBeCloseTo(23.92, 2);
  });

  it('observed digest ignores pending→running but not health or membership', () => {
    const base = observed([node('train', 1, { state: 'pending' })]);
    expect(observedDigest(base)).toBe(observedDigest(observed([node('train', 1, { state: 'running' })])));
    expect(observedDigest(base)).not.toBe(observedDigest(observed([node('train', 1, { health: 'unhealthy' })])));
    expect(observedDigest(base)).not.toBe(observedDigest(observed([])));
  });
});
