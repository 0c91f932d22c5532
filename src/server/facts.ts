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
  /** Pools some of whose nodes could not be listed this time; FLEET_BREAKER when any could not. */
  partial?: ReadonlySet<string>;
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
  const judgeAll = (watchingSince: number): Map<string, NodeVerdict> => {
    const out = new Map<string, NodeVerdict>();
    for (const n of input.nodes.filter(live)) {
      const r = input.records.get(n.name);
      const launched = n.launchedAt ? Date.parse(n.launchedAt) : NaN;
      const judged = judgeNode(
        {
          registered: r ? { registeredAt: r.registeredAt, lastContactAt: lastContact(r), state: r.health } : undefined,
          launchedAt: Number.isFinite(launched) ? launched : undefined,
          watchingSince,
        },
        input.policyFor(n.pool),
        input.now,
      );
      out.set(n.name, judged);
    }
    return out;
  };
  const verdicts = judgeAll(input.watchingSince);
  // Silence while the control plane was down does not count against a node, so that a restart
  // replaces nothing. An open breaker is the other way round: it closes only when its nodes are
  // heard from again, and a restart has not made a silent node any less silent. So an open
  // breaker counts silence from the last contact, even from before this process started.
  let sinceLastContact: Map<string, NodeVerdict> | undefined;
  const breakerVerdicts = (key: string): Map<string, NodeVerdict> =>
    input.breakers[key]?.open ? (sinceLastContact ??= judgeAll(Number.NEGATIVE_INFINITY)) : verdicts;

  const breakers = new Map<string, BreakerResult>();
  /** Nodes a breaker withholds, with the verdict it withheld. */
  const withheld = new Map<string, NodeVerdict>();
  const judge = (key: string, members: ObservedNode[], percent: number): void => {
    const seen = breakerVerdicts(key);
    const bad = members.flatMap((n) => {
      const v = seen.get(n.name);
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
      partial: input.partial?.has(key) ?? false,
    });
    breakers.set(key, result);
    for (const name of result.withheld) {
      const v = seen.get(name);
      if (v && !withheld.has(name)) withheld.set(name, v);
    }
  };
  for (const pool of input.pools.filter((p) => p !== FLEET_BREAKER)) {
    judge(pool, input.nodes.filter((n) => live(n) && n.pool === pool), input.policyFor(pool).breakerPercent);
  }
  judge(FLEET_BREAKER, input.nodes.filter(live), input.fleetBreakerPercent ?? 20);

  const facts = new Map<string, NodeFacts>();
  for (const [name, v] of verdicts) {
    const cordoned = input.records.get(name)?.cordoned ?? false;
    const held = withheld.get(name);
    facts.set(name, held ? { health: 'unknown', reason: `withheld by the circuit breaker (was: ${held.reason ?? 'unhealthy'})`, cordoned } : { health: v.health, reason: v.reason, cordoned });
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
