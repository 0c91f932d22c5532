/**
 * From what the store knows to what the planner sees: every observed node is judged with its
 * pool's policy, the circuit breaker of each pool decides which verdicts the planner may act on,
 * and the result is joined into the observed fleet as each node's health, reason and cordon.
 */
import { evaluateBreaker, judgeNode, type BreakerResult, type BreakerState, type HealthPolicy, type NodeVerdict, type VerdictCause } from '../health/index.js';
import type { ObservedFleet, ObservedNode } from '../model/index.js';
import type { NodeFacts } from '../observe/index.js';
import { lastContact, type NodeRecord } from './store/index.js';

export interface JudgeFleetInput {
  nodes: readonly ObservedNode[];
  records: ReadonlyMap<string, NodeRecord>;
  policyFor(pool: string): HealthPolicy;
  /** Pools to evaluate a breaker for (declared ones, and any with a stored breaker). */
  pools: readonly string[];
  breakers: Readonly<Record<string, BreakerState>>;
  breakerWindowMs: number;
  watchingSince: number;
  now: number;
}

export interface FleetJudgement {
  /** What the planner sees, by node name. */
  facts: Map<string, NodeFacts>;
  /** Every verdict before the breaker, by node name. */
  verdicts: Map<string, NodeVerdict>;
  breakers: Map<string, BreakerResult>;
}

/**
 * What the breaker counts: nodes that were capacity and turned bad. Preemptions are the cloud's word
 * and new nodes failing their boot checks never were capacity (the backoff after a failed
 * replacement deals with those); neither says anything about the control plane's own view.
 */
const COUNTED: ReadonlySet<VerdictCause> = new Set<VerdictCause>(['hardware', 'silence', 'unregistered', 'evaluations']);

const live = (n: ObservedNode): boolean => n.name !== '' && (n.state === 'running' || n.state === 'pending');

export function judgeFleet(input: JudgeFleetInput): FleetJudgement {
  const verdicts = new Map<string, NodeVerdict>();
  for (const n of input.nodes.filter(live)) {
    const r = input.records.get(n.name);
    const launched = n.launchedAt ? Date.parse(n.launchedAt) : NaN;
    const judged = judgeNode(
      {
        registered: r ? { registeredAt: r.registeredAt, lastContactAt: lastContact(r), state: r.health } : undefined,
        launchedAt: Number.isFinite(launched) ? launched : undefined,
        watchingSince: input.watchingSince,
      },
      input.policyFor(n.pool),
      input.now,
    );
    verdicts.set(n.name, judged);
  }

  const breakers = new Map<string, BreakerResult>();
  const withheld = new Set<string>();
  for (const pool of input.pools) {
    const members = input.nodes.filter((n) => live(n) && n.pool === pool);
    const bad = members.flatMap((n) => {
      const v = verdicts.get(n.name);
      return v && v.health === 'unhealthy' && COUNTED.has(v.cause) ? [{ node: n.name, since: v.since ?? input.now }] : [];
    });
    const result = evaluateBreaker({
      pool,
      total: members.length,
      bad,
      percent: input.policyFor(pool).breakerPercent,
      windowMs: input.breakerWindowMs,
      now: input.now,
      prev: input.breakers[pool],
    });
    breakers.set(pool, result);
    for (const name of result.withheld) withheld.add(name);
  }

  const facts = new Map<string, NodeFacts>();
  for (const [name, v] of verdicts) {
    const cordoned = input.records.get(name)?.cordoned ?? false;
    facts.set(
      name,
      withheld.has(name)
        ? { health: 'unknown', reason: `withheld by the circuit breaker (was: ${v.reason ?? 'unhealthy'})`, cordoned }
        : { health: v.health, reason: v.reason, cordoned },
    );
  }
  return { facts, verdicts, breakers };
}

/** The observed fleet with the control plane's facts in place of what the status file remembered. */
export function joinFacts(observed: ObservedFleet, facts: ReadonlyMap<string, NodeFacts>): ObservedFleet {
  return {
    ...observed,
    nodes: observed.nodes.map((n) => {
      const f = facts.get(n.name);
      return f ? { ...n, health: f.health, healthReason: f.reason, cordoned: f.cordoned } : n;
    }),
  };
}
