/**
 * An unattended control plane cannot answer the destroy guard's question, so it applies the rest
 * of the plan and leaves the guarded destroys for a human (`navarch apply --allow-destroy`, or
 * `navarch serve --allow-destroy`). Broken nodes are still replaced: they do not count against it.
 */
import type { Plan, ReasonCode } from '../model/index.js';

const EXEMPT: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['unhealthy', 'failed', 'orphan']);

export function withoutGuardedActions(plan: Plan): Plan {
  const destroyGuards = plan.guards.filter((g) => g.rule === 'destroy-share');
  if (destroyGuards.length === 0) return plan;
  const guarded = new Set(destroyGuards.map((g) => g.pool));
  const actions = plan.actions.filter((a) => !(guarded.has(a.pool) && (a.kind === 'destroy' || a.kind === 'replace') && !EXEMPT.has(a.reason.code)));
  const summary = { add: 0, change: 0, destroy: 0 };
  for (const a of actions) {
    if (a.kind === 'create' || a.kind === 'replace') summary.add += 1;
    if (a.kind === 'destroy' || a.kind === 'replace') summary.destroy += 1;
    if (a.kind === 'update') summary.change += 1;
  }
  const warnings = destroyGuards.map((g) => `${g.message}; those actions were skipped (run \`navarch apply --allow-destroy\`, or start navarch serve with --allow-destroy)`);
  return { ...plan, actions, summary, guards: plan.guards.filter((g) => g.rule !== 'destroy-share'), warnings: [...plan.warnings, ...warnings] };
}
