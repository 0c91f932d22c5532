/**
 * The disruption budget: how many of a pool's nodes may be taken away for health at once (replaced,
 * or destroyed when the pool is above target), counting those in flight: replacements started by
 * earlier passes that are not done yet. Broken nodes are replaced a few at a time, so a wave of
 * failures, or a wrong verdict, never takes a whole pool down at once. Pure.
 */
import type { DisruptionBudget, ObservedNode, PoolSpec } from '../model/index.js';

/** Karpenter's default: a tenth of the pool, rounded up, so any non-empty pool may replace one node. */
export const DEFAULT_DISRUPTION_BUDGET: DisruptionBudget = { percent: 10 };

/** Nodes of a pool of `size` that may be disrupted at once. */
export function disruptionAllowance(budget: DisruptionBudget | undefined, size: number): number {
  const b = budget ?? DEFAULT_DISRUPTION_BUDGET;
  if ('count' in b) return Math.max(0, b.count);
  return Math.ceil((Math.max(0, b.percent) * size) / 100);
}

/** `10%` or `2 nodes`, as the user wrote it. */
export function describeBudget(budget: DisruptionBudget | undefined): string {
  const b = budget ?? DEFAULT_DISRUPTION_BUDGET;
  return 'count' in b ? `${b.count} node${b.count === 1 ? '' : 's'}` : `${b.percent}%`;
}

export interface Deferral {
  /** Nodes acted on now, lowest ordinal first. */
  now: ObservedNode[];
  /** Nodes whose replacement waits, with a warning each. */
  deferred: ObservedNode[];
  warnings: string[];
}

/**
 * Picks which unhealthy nodes (in ordinal order) fit the pool's budget, less the `inFlight`
 * health replacements already under way. `hold` defers them all, with its reason (a replacement
 * in this pool failed recently; the control plane is backing off).
 */
export function budgetUnhealthy(pool: PoolSpec, unhealthy: readonly ObservedNode[], size: number, hold: string | undefined, inFlight = 0): Deferral {
  const sorted = [...unhealthy].sort((a, b) => a.ordinal - b.ordinal || a.name.localeCompare(b.name));
  const allowance = disruptionAllowance(pool.health.disruptionBudget, size);
  const allowed = hold !== undefined ? 0 : Math.max(0, allowance - inFlight);
  const now = sorted.slice(0, allowed);
  const deferred = sorted.slice(allowed);
  const under = inFlight > 0 ? `, ${inFlight} in flight` : '';
  const why =
    hold !== undefined
      ? `replacements in pool "${pool.name}" are on hold: ${hold}`
      : `the disruption budget of pool "${pool.name}" (${describeBudget(pool.health.disruptionBudget)}: ${allowance} of ${size} nodes at once${under}) is spent`;
  const warnings = deferred.map((n) => `replacement of unhealthy node ${n.name} deferred: ${why} (${n.healthReason ?? 'unhealthy'})`);
  return { now, deferred, warnings };
}
