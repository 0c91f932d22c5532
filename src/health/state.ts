/**
 * What the control plane remembers about a node's health between reports, and how each
 * registration and report changes it. Pure: state in, state out; the store persists it as JSON.
 */
import type { CheckResult } from '../model/index.js';
import type { Finding, Severity } from './classify.js';
import type { HealthPolicy } from './policy.js';

/** Something that happened to a node and stays true until the node is gone or an operator says otherwise. */
export interface Mark {
  reason: string;
  /** Server time (ms) it was first seen. */
  at: number;
}

export type Evaluation = 'healthy' | 'degraded' | 'unhealthy';

/** What is wrong with one GPU of a node, as a one-cell view names it. */
export interface GpuFault {
  gpu: number;
  /** A few words (`XID 48`, `NVLink 2 down`). */
  label: string;
  severity: Severity;
  /** Server time (ms) it was seen. */
  at: number;
}

export interface NodeHealthState {
  /** Health reports evaluated so far. */
  evaluations: number;
  /** Unhealthy evaluations in a row; a healthy or degraded one resets it. */
  consecutiveUnhealthy: number;
  /** When the current run of unhealthy evaluations reached `unhealthy_after`. */
  unhealthySince?: number;
  /** The latest evaluation. */
  last?: { health: Evaluation; reason?: string; at: number };
  /** The hardware is done (fatal XID, ECC double-bit, row-remap failure, or resets that keep coming). */
  condemned?: Mark;
  /** The cloud announced it will take the node back. */
  preempted?: Mark;
  /** A GPU needs a reset; a reboot (new boot id) clears it. */
  needsReset?: Mark;
  /** A boot check failed at the latest registration. */
  bootFailed?: Mark;
  /** Times of reports that needed a GPU reset, within the reset window. */
  resets: number[];
  /**
   * The GPUs that are not well, one entry each (the worst finding): what the latest report found,
   * plus what lasts past it (a GPU that needs a reset, until the node reboots; one that is done, for good).
   */
  gpuFaults?: GpuFault[];
}

export function initialHealthState(): NodeHealthState {
  return { evaluations: 0, consecutiveUnhealthy: 0, resets: [] };
}

/** A (re)registration: boot checks decide whether the node is capacity; a new boot has reset its GPUs. */
export function foldRegistration(state: NodeHealthState, bootChecks: readonly CheckResult[], newBoot: boolean, now: number): NodeHealthState {
  const next: NodeHealthState = { ...state, resets: [...state.resets] };
  const failed = bootChecks.filter((c) => c.status === 'fail');
  if (failed.length > 0) {
    const first = failed[0] as CheckResult;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
    next.bootFailed = { reason: `boot check ${first.name} failed: ${first.message}${more}`, at: now };
  } else delete next.bootFailed;
  if (newBoot) {
    delete next.needsReset;
    const lasting = (state.gpuFaults ?? []).filter((f) => f.severity === 'replace');
    if (lasting.length > 0) next.gpuFaults = lasting;
    else delete next.gpuFaults;
    // A stopped-and-started spot node is a new machine as far as its notice is concerned.
    delete next.preempted;
  }
  return next;
}

const RANK: Record<Evaluation, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
const EVALUATION: Record<Severity, Evaluation> = {
  info: 'healthy',
  degraded: 'degraded',
  reset: 'degraded',
  unhealthy: 'unhealthy',
  replace: 'unhealthy',
  preempt: 'unhealthy',
};

/** One health report's findings folded into the node's state: one evaluation. */
export function foldReport(state: NodeHealthState, findings: readonly Finding[], policy: HealthPolicy, now: number): NodeHealthState {
  const next: NodeHealthState = { ...state, resets: state.resets.filter((t) => t > now - policy.resetWindowMs) };
  let health: Evaluation = 'healthy';
  let reason: string | undefined;
  let resetSeen = false;
  for (const f of findings) {
    const e = EVALUATION[f.severity];
    if (RANK[e] > RANK[health]) {
      health = e;
      reason = f.reason;
    }
    if (f.severity === 'replace') next.condemned ??= { reason: f.reason, at: now };
    if (f.severity === 'preempt') next.preempted ??= { reason: f.reason, at: now };
    // One reset clears every GPU of the node, so errors on several GPUs in one report count once.
    if (f.severity === 'reset' && !resetSeen) {
      resetSeen = true;
      next.resets.push(now);
      if (next.resets.length >= policy.resetsBeforeReplace) {
        next.condemned ??= { reason: `${f.reason}; ${next.resets.length} GPU-reset errors within ${Math.round(policy.resetWindowMs / 3_600_000)}h`, at: now };
      } else {
        next.needsReset = { reason: `${f.reason}; the GPU needs a reset`, at: now };
      }
    }
  }
  const gpuFaults = foldGpuFaults(state.gpuFaults, findings, now);
  if (gpuFaults.length > 0) next.gpuFaults = gpuFaults;
  else delete next.gpuFaults;
  next.evaluations = state.evaluations + 1;
  next.consecutiveUnhealthy = health === 'unhealthy' ? state.consecutiveUnhealthy + 1 : 0;
  if (health !== 'unhealthy') delete next.unhealthySince;
  else if (next.unhealthySince === undefined && next.consecutiveUnhealthy >= policy.unhealthyAfter) next.unhealthySince = now;
  next.last = reason === undefined ? { health, at: now } : { health, reason, at: now };
  return next;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, preempt: 0, degraded: 1, unhealthy: 2, reset: 3, replace: 4 };

/** A report's GPU findings over what lasts of the earlier ones: the worst per GPU, by GPU index. */
function foldGpuFaults(prev: readonly GpuFault[] | undefined, findings: readonly Finding[], now: number): GpuFault[] {
  const lasting = (prev ?? []).filter((f) => f.severity === 'replace' || f.severity === 'reset');
  const found = findings.flatMap((f): GpuFault[] =>
    f.gpu !== undefined && SEVERITY_RANK[f.severity] > 0 ? [{ gpu: f.gpu, label: f.label ?? f.reason, severity: f.severity, at: now }] : [],
  );
  const worst = new Map<number, GpuFault>();
  for (const f of [...lasting, ...found]) {
    const seen = worst.get(f.gpu);
    if (!seen || SEVERITY_RANK[f.severity] > SEVERITY_RANK[seen.severity]) worst.set(f.gpu, f);
  }
  return [...worst.values()].sort((a, b) => a.gpu - b.gpu);
}

/** An operator vouches for the node (uncordon): every verdict is forgotten, the count starts over. */
export function clearVerdicts(state: NodeHealthState): NodeHealthState {
  return { evaluations: state.evaluations, consecutiveUnhealthy: 0, resets: [] };
}
