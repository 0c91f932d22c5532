/**
 * The fleet's health as the planner may act on it: every live node judged with its pool's policy,
 * then each pool's circuit breaker (and the fleet's) deciding which verdicts reach the planner.
 * Pure: it takes plain records (what the cloud lists, what the agents said), never a store.
 */
import type { NodeFacts } from '../model/index.js';
import { evaluateBreaker, FLEET_BREAKER, type BadNode, type BreakerResult, type BreakerState } from './breaker.js';
import { judgeNode, type JudgeInput, type NodeVerdict, type VerdictCause } from './judge.js';
import type { HealthPolicy } from './policy.js';

/** A live node (running or pending) as the judgement sees it. */
export interface FleetNode {
  name: string;
  pool: string;
  /** When the cloud launched it (ms), when known. */
  launchedAt: number | undefined;
  /** What its agent registered and reported, when it has registered. */
  registered: JudgeInput['registered'];
  cordoned: boolean;
}

/** A node that turned bad, as the failure log keeps it: it counts within the window even once the node is gone. */
export interface FailureRecord {
  node: string;
  pool: string;
  /** When it turned unhealthy or silent (ms). */
  since: number;
  cause: VerdictCause;
}

export interface JudgeFleetInput {
  nodes: readonly FleetNode[];
  policyFor(pool: string): HealthPolicy;
  /** Pools to evaluate a breaker for (declared ones, and any with a stored breaker). */
  pools: readonly string[];
  breakers: Readonly<Record<string, BreakerState>>;
  breakerWindowMs: number;
  /** Pools some of whose nodes could not be listed this time; FLEET_BREAKER when any could not. */
  partial?: ReadonlySet<string>;
  /** Share of the whole fleet that may turn bad at once (default 20). */
  fleetBreakerPercent?: number;
  /** Failures logged earlier; those of nodes no longer live count within the window. */
  failures?: readonly FailureRecord[];
  /** Nodes that are not capacity yet (replacements coming up): they are in no breaker's count. */
  notCapacity?: ReadonlySet<string>;
  watchingSince: number;
  now: number;
}

export interface FleetJudgement {
  /** What the planner sees, by node name. */
  facts: Map<string, NodeFacts>;
  /** Every verdict before the breaker, by node name. */
  verdicts: Map<string, NodeVerdict>;
  breakers: Map<string, BreakerResult>;
  /** The failures the breakers counted among live nodes, for the failure log. */
  failures: FailureRecord[];
}

/**
 * What the breaker counts: nodes that were capacity and turned bad. Preemptions are the cloud's word
 * and new nodes failing their boot checks never were capacity (the backoff after a failed
 * replacement deals with those); neither says anything about the control plane's own view.
 */
const COUNTED: ReadonlySet<VerdictCause> = new Set<VerdictCause>(['hardware', 'silence', 'unregistered', 'evaluations']);

/** Whether a verdict counts against a breaker. */
export function countsAgainstBreaker(v: Pick<NodeVerdict, 'health' | 'cause'>): boolean {
  return v.health === 'unhealthy' && COUNTED.has(v.cause);
}

export function judgeFleet(input: JudgeFleetInput): FleetJudgement {
  const judgeAll = (watchingSince: number): Map<string, NodeVerdict> => {
    const out = new Map<string, NodeVerdict>();
    for (const n of input.nodes) {
      out.set(n.name, judgeNode({ registered: n.registered, launchedAt: n.launchedAt, watchingSince }, input.policyFor(n.pool), input.now));
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

  const live = new Set(input.nodes.map((n) => n.name));
  const capacity = input.nodes.filter((n) => !input.notCapacity?.has(n.name));
  // A node already gone (replaced, terminated) still failed: within the window it counts as it did.
  const gone = (input.failures ?? []).filter((f) => !live.has(f.node) && f.since > input.now - input.breakerWindowMs);
  const failures: FailureRecord[] = [];
  for (const n of capacity) {
    const v = verdicts.get(n.name);
    if (v && countsAgainstBreaker(v)) failures.push({ node: n.name, pool: n.pool, since: v.since ?? input.now, cause: v.cause });
  }

  const breakers = new Map<string, BreakerResult>();
  /** Nodes a breaker withholds, with the verdict it withheld. */
  const withheld = new Map<string, NodeVerdict>();
  const judge = (key: string, members: readonly FleetNode[], logged: readonly FailureRecord[], percent: number): void => {
    const seen = breakerVerdicts(key);
    // An operator's reset of a pool's breaker accepts that pool's failures for the fleet's breaker too.
    const accepted = (pool: string, since: number): boolean => {
      const poolReset = key === FLEET_BREAKER ? input.breakers[pool]?.resetAt : undefined;
      return poolReset !== undefined && since <= poolReset;
    };
    const bad: BadNode[] = members.flatMap((n) => {
      const v = seen.get(n.name);
      if (!v || !countsAgainstBreaker(v)) return [];
      const since = v.since ?? input.now;
      return accepted(n.pool, since) ? [] : [{ node: n.name, since }];
    });
    for (const f of logged) if (!accepted(f.pool, f.since)) bad.push({ node: f.node, since: f.since });
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
    const withheldLive = result.withheld.filter((name) => live.has(name));
    breakers.set(key, { ...result, withheld: withheldLive });
    for (const name of withheldLive) {
      const v = seen.get(name);
      if (v && !withheld.has(name)) withheld.set(name, v);
    }
  };
  for (const pool of input.pools.filter((p) => p !== FLEET_BREAKER)) {
    judge(pool, capacity.filter((n) => n.pool === pool), gone.filter((f) => f.pool === pool), input.policyFor(pool).breakerPercent);
  }
  judge(FLEET_BREAKER, capacity, gone, input.fleetBreakerPercent ?? 20);

  const facts = new Map<string, NodeFacts>();
  const cordoned = new Map(input.nodes.map((n) => [n.name, n.cordoned]));
  for (const [name, v] of verdicts) {
    const c = cordoned.get(name) ?? false;
    const held = withheld.get(name);
    facts.set(name, held ? { health: 'unknown', reason: `withheld by the circuit breaker (was: ${held.reason ?? 'unhealthy'})`, cordoned: c } : { health: v.health, reason: v.reason, cordoned: c });
  }
  return { facts, verdicts, breakers, failures };
}
