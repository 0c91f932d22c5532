/**
 * One reconcile of the control plane: the same pass as `navarch apply` and `navarch reconcile`
 * (read the config at a commit, take the fleet lock, observe, plan, apply, write or commit the
 * status), with the store's health verdicts (after the circuit breaker) as the planner's view of
 * each node. Before planning it advances every lifecycle in flight (a replacement waiting for its
 * node, a drain); during apply it hands replaces and destroys over to new lifecycles. It never
 * waits for a node: a pass takes the time of its store and provider calls.
 */
import { provisionNode, type ActionResult, type ApplyEvent, type ApplyTools, type ProvisionAttempt, type UserDataHook } from '../apply/index.js';
import { runPass, type PassLockOptions, type TargetState, type Workspace } from '../engine/index.js';
import type { ConfigTarget, GitAuthor, LockInfo, PublishOutcome } from '../git/index.js';
import { backoffHolds, FLEET_BREAKER, judgeFleet, type BreakerResult, type BreakerState, type FleetNode, type HealthPolicy } from '../health/index.js';
import type { Logger } from '../log/index.js';
import {
  ProviderError,
  retry,
  type Action,
  type Clock,
  type DesiredFleet,
  type FleetStatus,
  type NodeFacts,
  type ObservedFleet,
  type ObservedNode,
  type StatusEvent,
} from '../model/index.js';
import { joinFacts, joinLifecycles, observedNode } from '../observe/index.js';
import type { Provider } from '../providers/index.js';
import { withBreakerConditions, withLifecycles } from '../status/index.js';
import { withAgentFacts } from './agent-facts.js';
import { PassView, type Lifecycles } from './lifecycles.js';
import { lastContact, type NodeRecord, type Store } from './store/index.js';

/** Timings of the configuration just adopted that a reconcile needs. */
export interface ReconcileTiming {
  breakerWindowMs: number;
  eventRetentionMs: number;
  heartbeatTimeoutMs: number;
}

/** The facts a pass's planner took: each live node's health after the breakers, and when and from what they were judged. */
export interface PassFacts {
  facts: ReadonlyMap<string, NodeFacts>;
  /** When they were judged (ms). */
  computedAt: number;
  /** The commit the configuration was read at (git targets). */
  desiredCommit: string | undefined;
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
  /** The replacements and removals in flight, advanced here and started by apply. */
  lifecycles: Lifecycles;
  userData?: UserDataHook | undefined;
  onApplyEvent(e: ApplyEvent): void;
  /** Told of every provision call's outcome, in apply and in the lifecycles' own steps. */
  onProvision?(attempt: ProvisionAttempt): void;
  onBreaker(pool: string, result: BreakerResult): void;
  /** Told of the facts the planner is about to take, once they are final. */
  onFacts?(facts: PassFacts): void;
}

export interface ReconcileOutcome {
  results: ActionResult[];
  actions: number;
  warnings: string[];
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

/** How long a report id, a finished lifecycle and a logged failure are kept. */
const RETENTION_MS = 24 * 3_600_000;
/** How apply retries throttled and transient provider errors; the lifecycles' own steps retry the same way. */
const RETRY = { attempts: 5, baseMs: 1_000, maxMs: 30_000 };

export async function reconcileOnce(input: ReconcileInput): Promise<ReconcileOutcome> {
  const { clock, store, lifecycles } = input;
  let timing: ReconcileTiming | undefined;
  const breakers: Record<string, BreakerState> = {};
  let records: ReadonlyMap<string, NodeRecord> = new Map();
  let view: PassView | undefined;
  /** Lifecycles the status file records that are not this control plane's (another's, or from before its store). */
  let others: ObservedFleet['lifecycles'] = [];
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
      const observed = ws.observation.observed;
      records = new Map((await store.listNodes()).map((r) => [r.id, r]));
      const stored = await store.breakers();
      await lifecycles.load();
      const pools = [...new Set([...ws.desired.pools.map((p) => p.name), ...Object.keys(stored)])].sort();
      const unlisted = new Set(observed.gaps.map((g) => g.provider));
      const partial = new Set(ws.desired.pools.filter((p) => p.candidates.some((c) => unlisted.has(c.provider))).map((p) => p.name));
      for (const g of observed.gaps) for (const p of g.pools ?? []) partial.add(p);
      if (unlisted.size > 0) partial.add(FLEET_BREAKER);
      const judged = judgeFleet({
        nodes: fleetNodes(observed.nodes, records),
        policyFor: (p) => input.policyFor(p),
        pools,
        breakers: stored,
        breakerWindowMs: timing.breakerWindowMs,
        partial,
        failures: await store.failures(now - timing.breakerWindowMs),
        // A replacement coming up is not capacity yet: its boot checks are not the breaker's business.
        notCapacity: new Set(lifecycles.inFlight().flatMap((l) => (l.new ? [l.new] : []))),
        watchingSince: input.startedAt,
        now,
      });
      await store.recordFailures(judged.failures);
      for (const [pool, result] of judged.breakers) {
        breakers[pool] = result.state;
        if (JSON.stringify(stored[pool] ?? { open: false }) !== JSON.stringify(result.state)) await store.setBreaker(pool, result.state);
        input.onBreaker(pool, result);
      }

      // Every lifecycle in flight goes as far as it can now; what it did is part of what the plan sees.
      const halted = (pool: string): string | undefined => {
        const b = breakers[pool]?.open ? breakers[pool] : breakers[FLEET_BREAKER]?.open ? breakers[FLEET_BREAKER] : undefined;
        return b ? (b.message ?? 'a circuit breaker is open') : undefined;
      };
      view = new PassView(observed.nodes, (n) => judged.verdicts.get(n)?.health, halted, (pool, providers) => partial.has(pool) || providers.some((p) => unlisted.has(p)));
      const steps: Array<Omit<StatusEvent, 'time'>> = [];
      await lifecycles.advanceAll(view, (action) => passTools(input, ws, action, steps), ws.desired.settings.applyConcurrency, input.signal);

      const after = afterSteps(observed, view);
      const known = await lifecycles.known();
      const joined = joinLifecycles(joinFacts(after, judged.facts), lifecycles.inFlight(), known);
      others = (joined.lifecycles ?? []).filter((l) => !known.has(l.id));
      // Nobody is there to say --allow-large: the plan stops at the size limits and its warnings say why.
      const large = input.allowLarge ? ('allow' as const) : ('cap' as const);
      // Nobody is there to say --allow-destroy either: destroys past the guard are left out of the plan.
      const destroys = input.allowDestroy ? ('guard' as const) : ('skip' as const);
      const holdReplacements = backoffHolds(await store.backoffs(), now);
      input.onFacts?.({ facts: judged.facts, computedAt: now, desiredCommit: ws.desired.commit });
      return { ws: { ...ws, observation: { ...ws.observation, observed: joined } }, planOptions: { holdReplacements, large, destroys }, events: steps };
    },
    decide: async (plan) => {
      for (const b of Object.values(breakers)) if (b.open && b.message) plan.warnings.push(b.message);
      return plan;
    },
    hooks: {
      handOver: (action, tools, signal) => {
        if (!view) throw new Error('a hand-over before the pass was prepared');
        return lifecycles.start(action, tools, view, signal);
      },
    },
    ...(input.userData ? { userData: input.userData } : {}),
    onEvent: input.onApplyEvent,
    ...(input.onProvision ? { onProvision: (a: ProvisionAttempt) => input.onProvision?.(a) } : {}),
    finishStatus: (s, state) =>
      withAgentFacts(withLifecycles(withBreakerConditions(s, breakers, state.status), [...lifecycles.inFlight(), ...(others ?? [])]), records),
  });
  if (timing) await housekeeping(input, outcome.observed.nodes, outcome.gaps.length > 0, timing);
  const result = outcome.result;
  return {
    results: result?.results ?? [],
    actions: outcome.plan.actions.length,
    warnings: outcome.plan.warnings,
    status: outcome.status,
    observed: outcome.observed.nodes,
    ok: result?.ok ?? false,
    desiredCommit: outcome.state.desired.commit,
    branch: outcome.state.snapshot.branch,
    published: outcome.published,
    lock: outcome.lock,
  };
}

/** The steps a lifecycle takes outside apply (in the pass, before planning): the same provisioning and terminating apply does. */
function passTools(input: ReconcileInput, ws: Workspace, action: Action, steps: Array<Omit<StatusEvent, 'time'>>): ApplyTools {
  const { clock } = input;
  const emit = (e: ApplyEvent): void => input.onApplyEvent(e);
  return {
    create: async () =>
      (
        await provisionNode(action, {
          fleet: ws.desired.fleet,
          pool: ws.desired.pools.find((p) => p.name === action.pool),
          providers: ws.providers,
          clock,
          memory: ws.memory,
          emit,
          userData: input.userData,
          onAttempt: (a) => input.onProvision?.(a),
          ...RETRY,
        })
      ).instance,
    terminate: async (name, instanceId) => {
      const provider = ws.providers.get(name);
      if (!provider) throw new ProviderError('invalid', name, `provider "${name}" is not configured`);
      try {
        await retry(() => provider.terminate(instanceId), { clock, ...RETRY });
      } catch (err) {
        if (!(err instanceof ProviderError && err.errorClass === 'not-found')) throw err;
      }
    },
    event: (e) => steps.push(e),
  };
}

/** The observation as the lifecycles left it: what they terminated is gone, what they created is there. */
function afterSteps(observed: ObservedFleet, view: PassView): ObservedFleet {
  if (view.created.length === 0 && view.terminated.size === 0) return observed;
  const nodes = observed.nodes.filter((n) => !view.terminated.has(n.instanceId));
  const have = new Set(nodes.map((n) => n.instanceId));
  for (const i of view.created) if (!have.has(i.id) && !view.terminated.has(i.id)) nodes.push(observedNode(i, undefined));
  nodes.sort((a, b) => a.name.localeCompare(b.name) || a.instanceId.localeCompare(b.instanceId));
  return { ...observed, nodes };
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

/** Forgets nodes whose instance is gone and has been silent past the timeout; drops old report ids, events, failures and finished lifecycles. */
async function housekeeping(input: ReconcileInput, nodes: readonly ObservedNode[], gaps: boolean, timing: ReconcileTiming): Promise<void> {
  const now = input.clock.now();
  if (!gaps) {
    const present = new Set(nodes.map((n) => n.name));
    for (const r of await input.store.listNodes()) {
      if (!present.has(r.id) && now - lastContact(r) > timing.heartbeatTimeoutMs && !input.lifecycles.of(r.id)) {
        input.logger.info({ node: r.id }, 'forgetting a node whose instance is gone');
        await input.store.forgetNode(r.id);
      }
    }
  }
  await input.store.prune(now - RETENTION_MS, now - timing.eventRetentionMs);
  await input.store.pruneFailures(now - Math.max(RETENTION_MS, timing.breakerWindowMs));
  await input.store.pruneLifecycles(now - RETENTION_MS);
}
