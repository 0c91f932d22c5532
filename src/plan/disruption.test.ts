import { describe, expect, it } from 'vitest';
import { describeBudget, disruptionAllowance } from './disruption.js';
import { plan } from './plan.js';
import { desired, node, observed, pool } from './testing.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const sick = (ordinal: number) => node('train', ordinal, { health: 'unhealthy', healthReason: `XID 79 on GPU 0: GPU has fallen off the bus (#${ordinal})` });

describe('disruptionAllowance', () => {
  it('is a count, or a share of the pool rounded up', () => {
    expect(disruptionAllowance({ count: 2 }, 50)).toBe(2);
    expect(disruptionAllowance({ percent: 10 }, 10)).toBe(1);
    expect(disruptionAllowance({ percent: 10 }, 11)).toBe(2);
    expect(disruptionAllowance({ percent: 10 }, 3)).toBe(1);
    expect(disruptionAllowance(undefined, 30)).toBe(3);
    expect(disruptionAllowance({ count: 0 }, 30)).toBe(0);
    expect(disruptionAllowance({ percent: 0 }, 30)).toBe(0);
    expect(describeBudget({ count: 1 })).toBe('1 node');
    expect(describeBudget(undefined)).toBe('10%');
  });
});

describe('plan with a disruption budget', () => {
  const nodes = [sick(1), sick(2), sick(3), ...[4, 5, 6, 7, 8, 9, 10].map((o) => node('train', o))];

  it('replaces at most the budget per plan, lowest ordinal first, and says which wait', () => {
    const d = desired([pool('train', { minNodes: 10, targetNodes: 10, maxNodes: 20 })]);
    const p = plan(d, observed(nodes), { now: NOW });
    expect(p.actions.map((a) => `${a.kind} ${a.existing?.name ?? ''} → ${a.node}`)).toEqual(['replace train-1 → train-11']);
    expect(p.warnings).toEqual([
      'replacement of unhealthy node train-2 deferred: the disruption budget of pool "train" (10%: 1 of 10 nodes at once) is spent (XID 79 on GPU 0: GPU has fallen off the bus (#2))',
      'replacement of unhealthy node train-3 deferred: the disruption budget of pool "train" (10%: 1 of 10 nodes at once) is spent (XID 79 on GPU 0: GPU has fallen off the bus (#3))',
    ]);
  });

  it('takes a node count', () => {
    const d = desired([pool('train', { minNodes: 10, targetNodes: 10, maxNodes: 20, health: { unhealthyAfter: 2, autoReplace: true, disruptionBudget: { count: 2 } } })]);
    const p = plan(d, observed(nodes), { now: NOW });
    expect(p.actions.map((a) => a.existing?.name)).toEqual(['train-1', 'train-2']);
    expect(p.warnings).toHaveLength(1);
  });

  it('counts destroys of unhealthy nodes above target against the budget too', () => {
    const d = desired([pool('train', { minNodes: 7, targetNodes: 7, maxNodes: 20, health: { unhealthyAfter: 2, autoReplace: true, disruptionBudget: { count: 1 } } })]);
    const p = plan(d, observed(nodes), { now: NOW });
    const health = p.actions.filter((a) => a.reason.code === 'unhealthy');
    expect(health).toHaveLength(1);
    expect(health[0]?.existing?.name).toBe('train-1');
  });

  it('holds every health replacement of a pool the control plane is backing off in', () => {
    const d = desired([pool('train', { minNodes: 10, targetNodes: 10, maxNodes: 20 })]);
    const p = plan(d, observed(nodes), { now: NOW, holdReplacements: { train: 'the last replacement failed at 00:00; retrying after 00:05' } });
    expect(p.actions).toEqual([]);
    expect(p.warnings[0]).toBe(
      'replacement of unhealthy node train-1 deferred: replacements in pool "train" are on hold: the last replacement failed at 00:00; retrying after 00:05 (XID 79 on GPU 0: GPU has fallen off the bus (#1))',
    );
  });

  it('never limits creating nodes the pool is short of', () => {
    const d = desired([pool('train', { minNodes: 12, targetNodes: 12, maxNodes: 20, health: { unhealthyAfter: 2, autoReplace: true, disruptionBudget: { count: 0 } } })]);
    const p = plan(d, observed(nodes), { now: NOW });
    expect(p.actions.map((a) => a.kind)).toEqual(['create', 'create']);
  });
});
