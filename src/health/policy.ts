/**
 * The health policy of one pool with every default filled in: what the pool's `health:` (or
 * `defaults.health`) says, plus the control plane's timing.
 */
import type { DisruptionBudget, PoolHealthPolicy } from '../model/index.js';

/** Everything the judge needs to turn a node's record into a health state. */
export interface HealthPolicy {
  /** Consecutive unhealthy evaluations before the node is unhealthy. */
  unhealthyAfter: number;
  autoReplace: boolean;
  /** Silence after which a registered node is unhealthy. */
  heartbeatTimeoutMs: number;
  /** Silence after which a registered node is `unknown` (before it is unhealthy). */
  staleAfterMs: number;
  /** Time a launched node has to register; 0: wait forever. */
  registrationTimeoutMs: number;
  thermalDegradedC: number;
  thermalUnhealthyC: number;
  /** Reset-class errors within `resetWindowMs` that condemn the node. */
  resetsBeforeReplace: number;
  resetWindowMs: number;
  breakerPercent: number;
  disruptionBudget: DisruptionBudget;
}

export const DEFAULT_HEALTH_POLICY: Readonly<HealthPolicy> = {
  unhealthyAfter: 2,
  autoReplace: true,
  heartbeatTimeoutMs: 5 * 60_000,
  staleAfterMs: 90_000,
  registrationTimeoutMs: 15 * 60_000,
  thermalDegradedC: 85,
  thermalUnhealthyC: 92,
  resetsBeforeReplace: 2,
  resetWindowMs: 24 * 3_600_000,
  breakerPercent: 20,
  disruptionBudget: { percent: 10 },
};

/**
 * Fills a pool's health settings with defaults. `heartbeatIntervalMs` (what agents are asked for)
 * sets when silence first shows: three missed heartbeats, never later than the timeout itself.
 */
export function resolvePolicy(pool: PoolHealthPolicy | undefined, heartbeatIntervalMs = 30_000): HealthPolicy {
  const d = DEFAULT_HEALTH_POLICY;
  const heartbeatTimeoutMs = pool?.heartbeatTimeoutMs ?? d.heartbeatTimeoutMs;
  const degraded = pool?.thermalDegradedC ?? d.thermalDegradedC;
  return {
    unhealthyAfter: pool?.unhealthyAfter ?? d.unhealthyAfter,
    autoReplace: pool?.autoReplace ?? d.autoReplace,
    heartbeatTimeoutMs,
    staleAfterMs: Math.min(heartbeatTimeoutMs, 3 * heartbeatIntervalMs),
    registrationTimeoutMs: pool?.registrationTimeoutMs ?? d.registrationTimeoutMs,
    thermalDegradedC: degraded,
    // A user who lowers only the degraded threshold must not end up with unhealthy below it.
    thermalUnhealthyC: Math.max(pool?.thermalUnhealthyC ?? d.thermalUnhealthyC, degraded),
    resetsBeforeReplace: pool?.resetsBeforeReplace ?? d.resetsBeforeReplace,
    resetWindowMs: d.resetWindowMs,
    breakerPercent: pool?.breakerPercent ?? d.breakerPercent,
    disruptionBudget: pool?.disruptionBudget ?? d.disruptionBudget,
  };
}
