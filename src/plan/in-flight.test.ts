import { describe, expect, it } from 'vitest';
import type { InFlight } from '../model/index.js';
import { plan } from './plan.js';
import { desired, node, observed, pool } from './testing.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const sick = (p: string, ordinal: number) => node(p, ordinal, { health: 'unhealthy', healthReason: `XID 79 (#${ordinal})` });
const replacing = (old: string, next: string | undefined, over: Partial<InFlight> = {}): InFlight => ({
  id: next ? `replace:${next}` : `destroy:${old}`,
  pool: old.replace(/-\d+$/, ''),
  old,
  new: next,
  health: true,
  state: 'waiting',
  since: new Date(NOW).toISOString(),
  waitingFor: undefined,
  ...over,
});
const summary = (p: ReturnType<typeof plan>): string[] => p.actions.map((a) => `${a.kind} ${a.existing?.name ?? ''}${a.kind === 'replace' ? ' → ' : ''}${a.kind === 'destroy' ? '' : a.node}`.replace('  ', ' '));

describe('plan with lifecycles in flight', () => {
  it('gives the nodes a replacement owns no other action, and counts its new node toward the target', () => {
    const d = desired([pool('train', { minNodes: 2, targetNodes: 2, maxNodes: 4 })]);
    // train-1 (broken) is being replaced by train-3, which is up: the pool is at target.
    const o = observed([sick('train', 1), node('train', 2), sick('train', 3)], { lifecycles: [replacing('train-1', 'train-3')] });
    expect(plan(d, o, { now: NOW }).actions).toEqual([]);
    // Before train-3 exists it holds its place all the same, and its name is taken.
    const early = observed([sick('train', 1), node('train', 2)], { lifecycles: [replacing('train-1', 'train-3')] });
    expect(plan(d, early, { now: NOW }).actions).toEqual([]);
    const bigger = desired([pool('train', { minNodes: 3, targetNodes: 3, maxNodes: 4 })]);
    expect(summary(plan(bigger, early, { now: NOW }))).toEqual(['create train-4']);
    // A removal's node is going: the pool is short of it.
    const removal = observed([node('train', 1), node('train', 2)], { lifecycles: [replacing('train-2', undefined, { health: false })] });
    expect(summary(plan(d, removal, { now: NOW }))).toEqual(['create train-3']);
  });

  it('bounds the replacements in flight per pool by the disruption budget, and lets other pools proceed', () => {
    const d = desired([pool('train', { minNodes: 5, targetNodes: 5, maxNodes: 8 }), pool('infer', { minNodes: 5, targetNodes: 5, maxNodes: 8 })]);
    const o = observed(
      [sick('train', 1), sick('train', 2), ...[3, 4, 5].map((i) => node('train', i)), sick('infer', 1), ...[2, 3, 4, 5].map((i) => node('infer', i))],
      { lifecycles: [replacing('train-1', 'train-6')] },
    );
    const p = plan(d, o, { now: NOW });
    expect(summary(p)).toEqual(['replace infer-1 → infer-6']);
    expect(p.warnings).toEqual([
      'replacement of unhealthy node train-2 deferred: the disruption budget of pool "train" (10%: 1 of 5 nodes at once, 1 in flight) is spent (XID 79 (#2))',
    ]);
    // A replacement for another reason is not a disruption for health: it does not spend the budget.
    const specChange = observed(o.nodes, { lifecycles: [replacing('train-1', 'train-6', { health: false })] });
    expect(summary(plan(d, specChange, { now: NOW }))).toEqual(['replace infer-1 → infer-6', 'replace train-2 → train-7']);
  });

  it('counts an old node still running against max_nodes: the next replacement removes its node first', () => {
    const d = desired([pool('train', { minNodes: 3, targetNodes: 3, maxNodes: 4, health: { unhealthyAfter: 2, autoReplace: true, disruptionBudget: { count: 2 } } })]);
    const o = observed([sick('train', 1), sick('train', 2), node('train', 3), node('train', 4)], { lifecycles: [replacing('train-1', 'train-4')] });
    const p = plan(d, o, { now: NOW });
    expect(p.actions.map((a) => [a.kind, a.existing?.name, a.node, a.order])).toEqual([['replace', 'train-2', 'train-5', 'destroy-before-create']]);
  });

  it('leaves the nodes of a lifecycle in an undeclared pool alone', () => {
    const d = desired([pool('train', { minNodes: 1, targetNodes: 1 })]);
    const o = observed([node('train', 1), node('old', 1), node('old', 2)], {
      pools: { old: { name: 'old', lastOrdinal: 2, protect: false, applied: undefined } },
      lifecycles: [replacing('old-1', 'old-2')],
    });
    expect(plan(d, o, { now: NOW }).actions).toEqual([]);
  });
});
