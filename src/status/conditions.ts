/** Conditions the control plane adds to the status file: the circuit breaker's, per pool. */
import { FLEET_BREAKER, type BreakerState } from '../health/index.js';
import type { FleetStatus, StatusCondition } from '../model/index.js';

/**
 * Adds each pool's `RemediationHalted` condition (open when its own breaker or the fleet's is open);
 * `since` moves only when the condition's status changes.
 */
export function withBreakerConditions(status: FleetStatus, breakers: Readonly<Record<string, BreakerState>>, previous: FleetStatus | undefined): FleetStatus {
  const pools: FleetStatus['pools'] = {};
  for (const [name, pool] of Object.entries(status.pools)) {
    const own = breakers[name];
    const fleet = breakers[FLEET_BREAKER];
    const b = own?.open ? own : fleet?.open ? fleet : own;
    const open = b?.open === true;
    const before = previous?.pools[name]?.conditions.find((c) => c.type === 'RemediationHalted');
    const condition: StatusCondition = {
      type: 'RemediationHalted',
      status: open ? 'True' : 'False',
      reason: open ? 'CircuitBreakerOpen' : 'BreakerClosed',
      message: open ? (b?.message ?? 'automatic replacement is halted') : 'unhealthy nodes are replaced automatically',
      since: before && before.status === (open ? 'True' : 'False') ? before.since : open && b?.openedAt !== undefined ? new Date(b.openedAt).toISOString() : status.updated_at,
    };
    pools[name] = { ...pool, conditions: [...pool.conditions.filter((c) => c.type !== 'RemediationHalted'), condition] };
  }
  return { ...status, pools };
}
