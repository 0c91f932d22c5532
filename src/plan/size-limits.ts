/**
 * The size limits of a plan: `safety.max_nodes_per_pool` (how far a plan may grow one pool) and
 * `safety.max_create` (how many nodes one plan may create). Past them a plan needs `--allow-large`,
 * so a typo such as `min_nodes: 100000` cannot start a hundred thousand machines. Replacements
 * and destroys do not count: they do not grow the fleet.
 */
import type { Action, DesiredFleet, ObservedNode, SizeGuard } from '../model/index.js';

/**
 * What `plan()` does at the limits. `guard` (the default): the plan keeps every create and records
 * a guard, which apply refuses without `--allow-large`. `allow`: the plan goes past them, with a
 * warning. `cap`: the plan creates only up to the limits and says what it left out (for `navarch
 * serve`, which has nobody to ask).
 */
export type SizeMode = 'guard' | 'allow' | 'cap';

export interface SizeOutcome {
  actions: Action[];
  guards: SizeGuard[];
  warnings: string[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Checks (and in `cap` mode trims) the creates of `actions` against the fleet's size limits. */
export function applySizeLimits(desired: DesiredFleet, nodes: readonly ObservedNode[], actions: Action[], mode: SizeMode): SizeOutcome {
  const { maxNodesPerPool, maxCreate } = desired.settings;
  const guards: SizeGuard[] = [];
  const warnings: string[] = [];
  const creates = (pool?: string): number => actions.filter((a) => a.kind === 'create' && (pool === undefined || a.pool === pool)).length;
  const pools = [...new Set(actions.filter((a) => a.kind === 'create').map((a) => a.pool))].sort();
  // A pool's size after the plan: the nodes it keeps plus those it creates (a replace keeps the count).
  const remaining = (pool: string): number =>
    nodes.filter((n) => n.pool === pool && n.state !== 'stopping' && n.state !== 'terminated').length -
    actions.filter((a) => a.pool === pool && a.kind === 'destroy').length;

  const drop = new Set<Action>();
  for (const pool of pools) {
    const after = remaining(pool) + creates(pool);
    if (after <= maxNodesPerPool) continue;
    const what = `pool "${pool}" would grow to ${after} nodes, more than safety.max_nodes_per_pool (${maxNodesPerPool})`;
    if (mode === 'guard') guards.push({ rule: 'pool-size', pool, message: `${what} allows without --allow-large`, count: after, limit: maxNodesPerPool });
    else if (mode === 'allow') warnings.push(`${what}; allowed by --allow-large`);
    else {
      const room = Math.max(0, maxNodesPerPool - remaining(pool));
      const mine = actions.filter((a) => a.kind === 'create' && a.pool === pool);
      mine.slice(room).forEach((a) => drop.add(a));
      warnings.push(`${what}; ${plural(mine.length - room, 'node')} not created (the control plane never goes past the limit: apply with --allow-large, or start navarch serve with --allow-large)`);
    }
  }

  let kept = mode === 'cap' ? actions.filter((a) => !drop.has(a)) : actions;
  const total = kept.filter((a) => a.kind === 'create').length;
  if (total > maxCreate) {
    const what = `the plan creates ${total} nodes, more than safety.max_create (${maxCreate})`;
    if (mode === 'guard') guards.push({ rule: 'create-count', message: `${what} allows in one apply without --allow-large`, count: total, limit: maxCreate });
    else if (mode === 'allow') warnings.push(`${what}; allowed by --allow-large`);
    else {
      // The first creates of each pool (lowest ordinals) stay, in pool order; later passes create the rest.
      const later = new Set(kept.filter((a) => a.kind === 'create').slice(maxCreate));
      kept = kept.filter((a) => !later.has(a));
      warnings.push(`${what}; ${plural(later.size, 'node')} left for a later reconcile (apply with --allow-large, or start navarch serve with --allow-large, to create them at once)`);
    }
  }
  return { actions: kept, guards, warnings };
}
