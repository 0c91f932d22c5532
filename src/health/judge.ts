/**
 * A node's health now, from what the control plane remembers about it and how long it has been
 * silent. Pure: the clock value comes in as an argument.
 */
import { formatDuration, type HealthState } from '../model/index.js';
import type { HealthPolicy } from './policy.js';
import type { NodeHealthState } from './state.js';

/** Why a node has the health it has; the breaker treats preemptions apart from failures. */
export type VerdictCause =
  | 'healthy'
  | 'degraded'
  | 'preemption'
  | 'hardware'
  | 'boot-checks'
  | 'silence'
  | 'unregistered'
  | 'evaluations'
  | 'waiting';

export interface NodeVerdict {
  health: HealthState;
  reason: string | undefined;
  /** When the node entered this health (server ms), where it is known. */
  since: number | undefined;
  cause: VerdictCause;
}

export interface JudgeInput {
  /** The node's record, when its agent has registered. */
  registered:
    | {
        registeredAt: number;
        /** Last heartbeat, health report or registration (server time). */
        lastContactAt: number;
        state: NodeHealthState;
      }
    | undefined;
  /** Launch time from the cloud, when known. */
  launchedAt: number | undefined;
  /**
   * Since when the control plane has been listening. Silence from before it was up (a restart, an
   * outage of the control plane itself) is not the node's fault, so it counts from here.
   */
  watchingSince: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function judgeNode(input: JudgeInput, policy: HealthPolicy, now: number): NodeVerdict {
  const r = input.registered;
  if (!r) {
    if (input.launchedAt === undefined || policy.registrationTimeoutMs <= 0) {
      return { health: 'unknown', reason: 'waiting for the agent to register', since: undefined, cause: 'waiting' };
    }
    const deadline = Math.max(input.launchedAt, input.watchingSince) + policy.registrationTimeoutMs;
    if (now >= deadline) {
      return {
        health: 'unhealthy',
        reason: `no agent registered within ${formatDuration(policy.registrationTimeoutMs)} of launch (launched ${iso(input.launchedAt)})`,
        since: deadline,
        cause: 'unregistered',
      };
    }
    return { health: 'unknown', reason: 'waiting for the agent to register', since: input.launchedAt, cause: 'waiting' };
  }
  const s = r.state;
  if (s.preempted) return { health: 'unhealthy', reason: s.preempted.reason, since: s.preempted.at, cause: 'preemption' };
  if (s.condemned) return { health: 'unhealthy', reason: s.condemned.reason, since: s.condemned.at, cause: 'hardware' };
  if (s.bootFailed) return { health: 'unhealthy', reason: s.bootFailed.reason, since: s.bootFailed.at, cause: 'boot-checks' };

  const contact = Math.max(r.lastContactAt, input.watchingSince);
  const silent = now - contact;
  if (silent >= policy.heartbeatTimeoutMs) {
    return {
      health: 'unhealthy',
      reason: `no heartbeat for ${formatDuration(now - r.lastContactAt)} (last at ${iso(r.lastContactAt)})`,
      since: contact + policy.heartbeatTimeoutMs,
      cause: 'silence',
    };
  }
  if (silent >= policy.staleAfterMs) {
    return { health: 'unknown', reason: `no heartbeat for ${formatDuration(now - r.lastContactAt)}`, since: contact + policy.staleAfterMs, cause: 'silence' };
  }
  const last = s.last;
  if (last?.health === 'unhealthy') {
    if (s.consecutiveUnhealthy >= policy.unhealthyAfter) {
      const run = s.consecutiveUnhealthy > 1 ? ` (${s.consecutiveUnhealthy} evaluations in a row)` : '';
      return { health: 'unhealthy', reason: `${last.reason ?? 'unhealthy'}${run}`, since: s.unhealthySince ?? last.at, cause: 'evaluations' };
    }
    const reason = `${last.reason ?? 'unhealthy'} (${s.consecutiveUnhealthy} of ${policy.unhealthyAfter} evaluations before unhealthy)`;
    return { health: 'degraded', reason, since: last.at, cause: 'degraded' };
  }
  if (s.needsReset) return { health: 'degraded', reason: s.needsReset.reason, since: s.needsReset.at, cause: 'degraded' };
  if (last?.health === 'degraded') return { health: 'degraded', reason: last.reason, since: last.at, cause: 'degraded' };
  if (!last) return { health: 'unknown', reason: 'registered; waiting for the first health report', since: r.registeredAt, cause: 'waiting' };
  return { health: 'healthy', reason: undefined, since: undefined, cause: 'healthy' };
}
