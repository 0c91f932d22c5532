/**
 * One reconcile of the control plane: the same pass as `navarch apply` and `navarch reconcile`
 * (read the config at a commit, take the fleet lock, observe, plan, apply, write or commit the
 * status), with the store's health verdicts (after the circuit breaker) as the planner's view of
 * each node, and cordon, drain and readiness steps around the actions that take nodes away.
 */
import type { ActionResult, ApplyEvent, LifecycleHooks, UserDataHook } from '../apply/index.js';
import { runPass, type PassLockOptions, type TargetState } from '../engine/index.js';
import type { ConfigTarget, GitAuthor, LockInfo, PublishOutcome } from '../git/index.js';
import { FLEET_BREAKER, judgeFleet, type BreakerResult, type BreakerState, type FleetNode, type HealthPolicy } from '../health/index.js';
import type { Logger } from '../log/index.js';
import type { Clock, DesiredFleet, FleetStatus, ObservedNode, Plan } from '../model/index.js';
import { joinFacts } from '../observe/index.js';
import type { Provider } from '../providers/index.js';
import { withBreakerConditions } from '../status/index.js';
import { lastContact, type NodeRecord, type Store } from './store/index.js';

/** Timings of the configuration just adopted that a reconcile needs. */
export interface ReconcileTiming {
  breakerWindowMs: number;
  eventRetentionMs: number;
  heartbeatTimeoutMs: number;
}

export interface ReconcileInput {
  /** Where the configuration comes from and where the status goes: a directory or a git repository. */
  target: ConfigTarget;
  /** Author of status commits (git targets). */
  author: GitAuthor;
  lock?: PassLockOptions | undefined;
  clock: Clock;
  logger: Logger;
  env: Readonly<Record<string, string | undefined>>;
  providers?: ReadonlyMap<string, Provider> | undefined;
  store: Store;
  startedAt: number;
  allowDestroy: boolean;
  /** Go past the size limits; otherwise each plan creates only up to them (`cap`). */
  allowLarge?: boolean;
  signal?: AbortSignal | undefined;
  /** Adopts the configuration just read (settings, policies, notifier); returns the timings a reconcile uses. */
  configure(desired: DesiredFleet): ReconcileTiming;
  /** Told of the configuration and status as read, also when the pass goes no further (the lock is busy). */
  onRead?(state: TargetState): void;
  policyFor(pool: string): HealthPolicy;
  /** Pools whose health replacements wait (backoff after a failure), with why. */
  holds(now: number): Record<string, string>;
  /** Cordons and drains before apply; hooks during it. */
  prepare(plan: Plan): Promise<void>;
  hooks: LifecycleHooks;
  userData?: UserDataHook | undefined;
  onApplyEvent(e: ApplyEvent): void;
  onBreaker(pool: string, result: BreakerResult): void;
}

export interface ReconcileOutcome {
  plan: Plan;
  results: ActionResult[];
  /** Undefined when a stop came before apply started. */
  status: FleetStatus | undefined;
  observed: ObservedNode[];
  ok: boolean;
  /** The commit the desired state was read at (git targets). */
  desiredCommit: string | undefined;
  /** The branch read (git targets; empty for a directory). */
  branch: string;
  published: PublishOutcome | undefined;
  lock: LockInfo | undefined;
}

/** How long a report id is kept to recognise replays. */
const REPORT_ID_RETENTION_MS = 24 * 3_600_000;

export async function reconcileOnce(input: ReconcileInput): Promise<ReconcileOutcome> {
  const { clock, store } = input;
  let timing: ReconcileTiming | undefined;
  const breakers: Record<string, BreakerState> = {};
  const outcome = await runPass({
    target: input.target,
    command: 'navarch serve',
    author: input.author,
    clock,
    logger: input.logger,
    env: input.env,
    allowDestroy: input.allowDestroy,
    allowLarge: input.allowLarge ?? false,
    ...(input.lock ? { lock: input.lock } : {}),
    ...(input.providers ? { providers: input.providers } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
    onRead: (state) => input.onRead?.(state),
    prepare: async (ws) => {
      timing = input.configure(ws.desired);
      const now = clock.now();
      const records = new Map((await store.listNodes()).map((r) => [r.id, r]));
      const stored = await store.breakers();
      const pools = [...new Set([...ws.desired.pools.map((p) => p.name), ...Object.keys(stored)])].sort();
      const unlisted = new Set(ws.observation.observed.gaps.map((g) => g.provider));
      const partial = new Set(ws.desired.pools.filter((p) => p.candidates.some((c) => unlisted.has(c.provider))).map((p) => p.name));
      if (unlisted.size > 0) partial.add(FLEET_BREAKER);
      const judged = judgeFleet({
        nodes: fleetNodes(ws.observation.observed.nodes, records),
        policyFor: (p) => input.policyFor(p),
        pools,
        breakers: stored,
        breakerWindowMs: timing.breakerWindowMs,
        partial,
        watchingSince: input.startedAt,
        now,
      });
      for (const [pool, result] of judged.breakers) {
        breakers[pool] = result.state;
        if (JSON.stringify(stored[pool] ?? { open: false }) !== JSON.stringify(result.state)) await store.setBreaker(pool, result.state);
        input.onBreaker(pool, result);
      }
      const observed = joinFacts(ws.observation.observed, judged.facts);
      // Nobody is there to say --allow-large: the plan stops at the size limits and its warnings say why.
      const large = input.allowLarge ? ('allow' as const) : ('cap' as const);
      // Nobody is there to say --allow-destroy either: destroys past the guard are left out of the plan.
      const destroys = input.allowDestroy ? ('guard' as const) : ('skip' as const);
      return { ws: { ...ws, observation: { ...ws.observation, observed } }, planOptions: { holdReplacements: input.holds(now), large, destroys } };
    },
    decide: async (plan) => {
      for (const b of Object.values(breakers)) if (b.open && b.message) plan.warnings.push(b.message);
      await input.prepare(plan);
      return plan;
    },
    hooks: input.hooks,
    ...(input.userData ? { userData: input.userData } : {}),
    onEvent: input.onApplyEvent,
    finishStatus: (s, state) => withBreakerConditions(s, breakers, state.status),
  });
  if (timing) await housekeeping(input, outcome.observed.nodes, outcome.gaps.length > 0, timing);
  const result = outcome.result;
  return {
    plan: outcome.plan,
    results: result?.results ?? [],
    status: outcome.status,
    observed: outcome.observed.nodes,
    ok: result?.ok ?? false,
    desiredCommit: outcome.state.desired.commit,
    branch: outcome.state.snapshot.branch,
    published: outcome.published,
    lock: outcome.lock,
  };
}

/** The live nodes of an observation as the fleet judgement takes them, with what their agents told the store. */
function fleetNodes(nodes: readonly ObservedNode[], records: ReadonlyMap<string, NodeRecord>): FleetNode[] {
  return nodes
    .filter((n) => n.name !== '' && (n.state === 'running' || n.state === 'pending'))
    .map((n) => {
      const r = records.get(n.name);
      const launched = n.launchedAt ? Date.parse(n.launchedAt) : NaN;
      return {
        name: n.name,
        pool: n.pool,
        launchedAt: Number.isFinite(launched) ? launched : undefined,
        registered: r ? { registeredAt: r.registeredAt, lastContactAt: lastContact(r), state: r.health } : undefined,
        cordoned: r?.cordoned ?? false,
      };
    });
}

/** Forgets nodes whose instance is gone and has been silent past the timeout; drops old report ids and events. */
async function housekeeping(input: ReconcileInput, nodes: readonly ObservedNode[], gaps: boolean, timing: ReconcileTiming): Promise<void> {
  const now = input.clock.now();
  if (!gaps) {
    const present = new Set(nodes.map((n) => n.name));
    for (const r of await input.store.listNodes()) {
      if (!present.has(r.id) && now - lastContact(r) > timing.heartbeatTimeoutMs) {
        input.logger.info({ node: r.id }, 'forgetting a node whose instance is gone');
        await input.store.forgetNode(r.id);
      }
    }
  }
  await input.store.prune(now - REPORT_ID_RETENTION_MS, now - timing.eventRetentionMs);
}
