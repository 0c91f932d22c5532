/**
 * From what the store knows to what the planner sees: every observed node is judged with its
 * pool's policy, the circuit breaker of each pool decides which verdicts the planner may act on,
 * and the result is joined into the observed fleet as each node's health, reason and cordon.
 */
import { evaluateBreaker, FLEET_BREAKER, judgeNode, type BreakerResult, type BreakerState, type HealthPolicy, type NodeVerdict, type VerdictCause } from '../health/index.js';
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
  /** Share of the whole fleet that may turn bad at once (default 20). */
  fleetBreakerPercent?: number;
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
  const judge = (key: string, members: ObservedNode[], percent: number): void => {
    const bad = members.flatMap((n) => {
      const v = verdicts.get(n.name);
      if (!v || v.health !== 'unhealthy' || !COUNTED.has(v.cause)) return [];
      const since = v.since ?? input.now;
      // An operator's reset of a pool's breaker accepts that pool's failures for the fleet's breaker too.
      const poolReset = key === FLEET_BREAKER ? input.breakers[n.pool]?.resetAt : undefined;
      return poolReset !== undefined && since <= poolReset ? [] : [{ node: n.name, since }];
    });
    const result = evaluateBreaker({
      pool: key,
      total: members.length,
      bad,
      percent,
      windowMs: input.breakerWindowMs,
      now: input.now,
      prev: input.breakers[key],
    });
    breakers.set(key, result);
    for (const name of result.withheld) withheld.add(name);
  };
  for (const pool of input.pools.filter((p) => p !== FLEET_BREAKER)) {
    judge(pool, input.nodes.filter((n) => live(n) && n.pool === pool), input.policyFor(pool).breakerPercent);
  }
  judge(FLEET_BREAKER, input.nodes.filter(live), input.fleetBreakerPercent ?? 20);

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
