import { describe, expect, it } from 'vitest';
import { plan } from './plan.js';
import { desired, node, observed, pool } from './testing.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('plan({ destroys: "skip" })', () => {
  // Scaling 5 → 1 destroys 4 of 5 nodes, past the 50% guard; one of them is broken.
  const d = desired([pool('train', { minNodes: 1, targetNodes: 1 }), pool('infer', { minNodes: 2 })]);
  const o = observed([
    node('train', 1),
    node('train', 2, { health: 'unhealthy', healthReason: 'XID 79' }),
    node('train', 3),
    node('train', 4),
    node('train', 5),
    node('infer', 1),
  ]);

  it('leaves out the destroys past the guard and keeps health-driven ones, with a warning', () => {
    const p = plan(d, o, { now: NOW, destroys: 'skip' });
    expect(p.guards).toEqual([]);
    expect(p.actions.map((a) => `${a.kind} ${a.node} ${a.reason.code}`)).toEqual(['create infer-2 below-target', 'destroy train-2 unhealthy']);
    expect(p.summary).toEqual({ add: 1, change: 0, destroy: 1 });
    expect(p.warnings.at(-1)).toContain('those actions were skipped');
    // The default still guards them, for a human to allow.
    expect(plan(d, o, { now: NOW }).guards.map((g) => g.rule)).toEqual(['destroy-share']);
  });

  it('computes the per-pool and fleet costs from the actions it kept', () => {
    const p = plan(d, o, { now: NOW, destroys: 'skip' });
    for (const pp of p.pools) {
      const mine = p.actions.filter((a) => a.pool === pp.name);
      const delta = mine.reduce((s, a) => s + a.costDelta, 0);
      expect(pp.costAfter, pp.name).toBeCloseTo(pp.costBefore + delta, 6);
      const added = mine.filter((a) => a.kind === 'create').length;
      const removed = mine.filter((a) => a.kind === 'destroy').length;
      expect(pp.nodesAfter, pp.name).toBe(pp.nodesBefore + added - removed);
    }
    expect(p.cost.after).toBeCloseTo(p.cost.before + p.actions.reduce((s, a) => s + a.costDelta, 0), 6);
    expect(p.pools.find((x) => x.name === 'train')).toMatchObject({ nodesBefore: 5, nodesAfter: 4 });
  });
});
