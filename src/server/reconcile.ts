/**
 * One reconcile of the control plane: the same open → plan → apply as `navarch apply`, with the
 * store's health verdicts (after the circuit breaker) as the planner's view of each node, and
 * cordon, drain and readiness steps around the actions that take nodes away.
 */
import { apply, type ActionResult, type ApplyEvent, type LifecycleHooks, type UserDataHook } from '../apply/index.js';
import type { ConfigSource } from '../config/index.js';
import { openWorkspace, planWorkspace, saveMemory, statusWriter } from '../engine/index.js';
import type { BreakerResult, HealthPolicy } from '../health/index.js';
import type { Logger } from '../log/index.js';
import type { Clock, DesiredFleet, FleetStatus, ObservedNode, Plan } from '../model/index.js';
import type { Provider } from '../providers/index.js';
import { withBreakerConditions } from './conditions.js';
import { joinFacts, judgeFleet } from './facts.js';
import { withoutGuardedActions } from './guarded.js';
import { lastContact, type Store } from './store/index.js';

export interface ReconcileInput {
  /** The configuration: a directory today, any ConfigSource (a git checkout) tomorrow. */
  source: ConfigSource | string;
  commit?: string | undefined;
  workdir?: string | undefined;
  clock: Clock;
  logger: Logger;
  env: Readonly<Record<string, string | undefined>>;
  providers?: ReadonlyMap<string, Provider> | undefined;
  store: Store;
  startedAt: number;
  allowDestroy: boolean;
  signal?: AbortSignal | undefined;
  /** Adopts the configuration just read (settings, policies, notifier); returns the breaker window. */
  configure(desired: DesiredFleet): { breakerWindowMs: number; eventRetentionMs: number; heartbeatTimeoutMs: number };
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
  status: FleetStatus;
  observed: ObservedNode[];
  ok: boolean;
}

/** How long a report id is kept to recognise replays. */
const REPORT_ID_RETENTION_MS = 24 * 3_600_000;

export async function reconcileOnce(input: ReconcileInput): Promise<ReconcileOutcome> {
  const { clock, store } = input;
  const ws = await openWorkspace({
    source: input.source,
    clock,
    logger: input.logger,
    env: input.env,
    ...(input.commit ? { commit: input.commit } : {}),
    ...(input.workdir ? { workdir: input.workdir } : {}),
    ...(input.providers ? { providers: input.providers } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const timing = input.configure(ws.desired);
  const now = clock.now();
  const records = new Map((await store.listNodes()).map((r) => [r.id, r]));
  const stored = await store.breakers();
  const pools = [...new Set([...ws.desired.pools.map((p) => p.name), ...Object.keys(stored)])].sort();
  const judged = judgeFleet({
    nodes: ws.observation.observed.nodes,
    records,
    policyFor: (p) => input.policyFor(p),
    pools,
    breakers: stored,
    breakerWindowMs: timing.breakerWindowMs,
    watchingSince: input.startedAt,
    now,
  });
  const breakers: Record<string, NonNullable<(typeof stored)[string]>> = {};
  for (const [pool, result] of judged.breakers) {
    breakers[pool] = result.state;
    if (JSON.stringify(stored[pool] ?? { open: false }) !== JSON.stringify(result.state)) await store.setBreaker(pool, result.state);
    input.onBreaker(pool, result);
  }

  const observed = joinFacts(ws.observation.observed, judged.facts);
  const opened = { ...ws, observation: { ...ws.observation, observed } };
  let plan = planWorkspace(opened, clock, { holdReplacements: input.holds(now) });
  for (const b of Object.values(breakers)) if (b.open && b.message) plan.warnings.push(b.message);
  if (!input.allowDestroy) plan = withoutGuardedActions(plan);

  await input.prepare(plan);
  const write = statusWriter(ws);
  const result = await apply({
    plan,
    desired: ws.desired,
    observed,
    previousStatus: ws.status,
    providers: ws.providers,
    clock,
    writeStatus: (s) => write(withBreakerConditions(s, breakers, ws.status)),
    onEvent: input.onApplyEvent,
    allowDestroy: input.allowDestroy,
    memory: ws.memory,
    hooks: input.hooks,
    ...(input.userData ? { userData: input.userData } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  await saveMemory(ws.root, ws.memory);
  await housekeeping(input, ws.observation.observed.nodes, ws.observation.observed.gaps.length > 0, timing);
  return { plan, results: result.results, status: withBreakerConditions(result.status, breakers, ws.status), observed: observed.nodes, ok: result.ok };
}

/** Forgets nodes whose instance is gone and has been silent past the timeout; drops old report ids and events. */
async function housekeeping(
  input: ReconcileInput,
  nodes: readonly ObservedNode[],
  gaps: boolean,
  timing: { eventRetentionMs: number; heartbeatTimeoutMs: number },
): Promise<void> {
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
