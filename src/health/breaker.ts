/**
 * The circuit breaker: when a large share of a pool turns unhealthy or silent at once, the likely
 * cause is not the nodes but something between them and the control plane (its network, a
 * cloud-wide event, a bad agent release). Replacing the fleet would then be the outage. The
 * breaker withholds those verdicts and raises an alert instead; it closes by itself once the
 * nodes recover, or when an operator resets it (accepting the failures seen so far).
 */
import { formatDuration } from '../model/index.js';

/**
 * The key of the fleet-wide breaker. A per-pool breaker cannot see a control plane that lost every
 * heartbeat when pools are small (one node per pool may always fail alone), so the whole fleet is
 * judged the same way too. Pool names cannot contain `*`.
 */
export const FLEET_BREAKER = '*';

/** What the store keeps per pool (and for the whole fleet, under FLEET_BREAKER). */
export interface BreakerState {
  open: boolean;
  /** When it last opened (ms). */
  openedAt?: number;
  /** When an operator last reset it: failures from before then are accepted. */
  resetAt?: number;
  /** Why it is open, for the alert, the status and the API. */
  message?: string;
}

export interface BadNode {
  node: string;
  /** When it turned unhealthy or silent (ms). */
  since: number;
}

export interface BreakerInput {
  pool: string;
  /** Live nodes of the pool. */
  total: number;
  /** Nodes judged unhealthy now, preemptions excluded (the cloud said so; nothing is in doubt). */
  bad: readonly BadNode[];
  percent: number;
  windowMs: number;
  now: number;
  prev: BreakerState | undefined;
  /**
   * Some of the pool's nodes could not be seen (a provider could not be listed, or the control
   * plane is stopping): an open breaker stays open, since nothing shows its nodes came back.
   */
  partial?: boolean;
}

export interface BreakerResult {
  state: BreakerState;
  /** Nodes whose verdict must not reach the planner. */
  withheld: string[];
  /** Set when the breaker changed state this time. */
  transition: 'opened' | 'closed' | undefined;
}

/** How many nodes may fail at once before the breaker opens: the share, but never less than one node. */
export function breakerAllowance(total: number, percent: number): number {
  return Math.max(1, Math.floor((total * percent) / 100));
}

export function evaluateBreaker(input: BreakerInput): BreakerResult {
  const { prev, now } = input;
  const allowed = breakerAllowance(input.total, input.percent);
  const accepted = prev?.resetAt ?? Number.NEGATIVE_INFINITY;
  const unaccepted = input.bad.filter((b) => b.since > accepted);
  const recent = unaccepted.filter((b) => b.since > now - input.windowMs);
  const withheld = unaccepted.map((b) => b.node).sort();
  const base: BreakerState = prev?.resetAt !== undefined ? { open: false, resetAt: prev.resetAt } : { open: false };

  if (prev?.open) {
    if (unaccepted.length <= allowed) {
      // What is not seen has not recovered: the state (and its message) stands as it was.
      if (input.partial) return { state: prev, withheld, transition: undefined };
      return { state: base, withheld: [], transition: 'closed' };
    }
    return { state: { ...prev, message: message(input, unaccepted.length) }, withheld, transition: undefined };
  }
  if (recent.length > allowed) {
    return { state: { ...base, open: true, openedAt: now, message: message(input, recent.length) }, withheld, transition: 'opened' };
  }
  return { state: base, withheld: [], transition: undefined };
}

function message(input: BreakerInput, count: number): string {
  const pct = input.total > 0 ? Math.round((count * 100) / input.total) : 100;
  const fleet = input.pool === FLEET_BREAKER;
  const who = fleet ? 'the fleet' : `pool "${input.pool}"`;
  const reset = `POST /v1/pools/${fleet ? '%2A' : input.pool}/breaker/reset`;
  return (
    `${who}: ${count} of ${input.total} nodes (${pct}%) turned unhealthy or silent within ${formatDuration(input.windowMs)}, ` +
    `more than the ${input.percent}% breaker allows; automatic replacement is halted${fleet ? ' in every pool' : ''}. Check the control plane's network and the agents; ` +
    `it resumes by itself when they recover, or reset it (${reset}) to replace these nodes`
  );
}
