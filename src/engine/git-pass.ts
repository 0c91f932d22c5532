/**
 * One GitOps pass over a ConfigTarget (a remote repository, a working clone, a directory):
 * read the config at a commit, take the fleet lock, observe, plan, apply, and commit the status
 * back. Shared by `navarch apply --repo`, `navarch reconcile`, and anything else that runs the loop.
 */
import { apply, type ApplyEvent, type ApplyResult, type LifecycleHooks, type ProvisionAttempt, type UserDataHook } from '../apply/index.js';
import { loadDesired } from '../config/index.js';
import {
  acquireLock,
  currentHolder,
  lockRefFor,
  type ConfigTarget,
  type GitAuthor,
  type LockInfo,
  type LockStore,
  type PublishOutcome,
  type TargetSnapshot,
} from '../git/index.js';
import type { DesiredFleet, FleetStatus, ObservationGap, ObservedFleet, Plan, StatusEvent } from '../model/index.js';
import type { PlanOptions } from '../plan/index.js';
import { parseStatus, serializeStatus, writeStatus } from '../status/index.js';
import { checkFleetIdentity } from './fleet-identity.js';
import { statusCommitMessage } from './status-message.js';
import { planWorkspace, saveMemory, workspaceFrom, type Workspace, type WorkspaceContext } from './workspace.js';

/** The config as read from a target: the desired state stamped with its commit, and the last status. */
export interface TargetState {
  snapshot: TargetSnapshot;
  desired: DesiredFleet;
  statusText: string | undefined;
  status: FleetStatus | undefined;
}

/** Reads the target once: fetch (remote) or HEAD (local), validate, find the desired commit. */
export async function readTarget(target: ConfigTarget): Promise<TargetState> {
  return readSnapshot(await target.sync());
}

/**
 * Validates the config of a snapshot and stamps it with its desired commit; reads the last status.
 * Refuses a configuration that names another fleet than the status records (every path that plans reads here).
 */
export async function readSnapshot(snapshot: TargetSnapshot): Promise<TargetState> {
  const loaded = await loadDesired(snapshot.source);
  const commit = await snapshot.desiredCommit(loaded.statusFile);
  const desired: DesiredFleet = { ...loaded, commit };
  const statusText = await snapshot.readStatus(desired.statusFile);
  const status = statusText === undefined ? undefined : parseStatus(statusText, desired.statusFile);
  checkFleetIdentity(desired, status);
  return { snapshot, desired, statusText, status };
}

export type TargetWorkspaceOptions = WorkspaceContext;

/** Builds the providers in the target's work directory and observes the fleet. */
export function openTargetWorkspace(target: ConfigTarget, state: TargetState, opts: TargetWorkspaceOptions): Promise<Workspace> {
  return workspaceFrom(state.desired, state.status, target.workdir, opts);
}

/** Fleet lock settings of a pass. */
export interface PassLockOptions {
  /** Default `refs/navarch/locks/<fleet>`. */
  ref?: string;
  ttlMs?: number;
  /** How long to wait for a busy lock (0: fail at once). */
  timeoutMs?: number;
  holder?: string;
  onWait?: (lock: LockInfo) => void;
  onTakeOver?: (lock: LockInfo, why: 'expired' | 'gone') => void;
  /** Called once the lock is held, with where it is. */
  onAcquired?: (lock: LockInfo, store: LockStore) => void;
}

/** The workspace to plan on, as `prepare` leaves it, and what the planner should also take into account. */
export interface PreparedWorkspace {
  ws: Workspace;
  planOptions?: Partial<PlanOptions>;
  /** What `prepare` did before the plan (lifecycle steps), for the status and its commit message. */
  events?: Array<Omit<StatusEvent, 'time'>>;
}

/**
 * What the control plane adds to a pass: its view of node health before planning, its lifecycle
 * steps during apply, and its conditions in the status. One-shot commands leave them out.
 */
export interface PassExtras {
  /** Told of the configuration each time it is read (before the lock is taken and again after), even when the lock turns out to be busy. */
  onRead?: (state: TargetState) => void;
  /** After observing, before planning: returns the workspace to plan on (e.g. with node health joined in) and planner options. */
  prepare?: (ws: Workspace, state: TargetState) => Promise<PreparedWorkspace>;
  hooks?: LifecycleHooks;
  userData?: UserDataHook;
  /** Rewrites every status before it is written or committed. */
  finishStatus?: (status: FleetStatus, state: TargetState) => FleetStatus;
}

export interface PassOptions extends Omit<TargetWorkspaceOptions, 'signal'>, PassExtras {
  target: ConfigTarget;
  /** What runs, recorded in the lock (e.g. `navarch apply`). */
  command: string;
  author: GitAuthor;
  /** Stop request: nothing new starts; actions in flight finish and the status is still committed. */
  signal?: AbortSignal;
  lock?: PassLockOptions;
  /**
   * Chooses what to apply given the fresh plan: the plan itself (the default), another plan (a
   * saved one, after its staleness check), or undefined to stop here (declined).
   */
  decide?: (plan: Plan, ws: Workspace, state: TargetState) => Promise<Plan | undefined>;
  onEvent?: (e: ApplyEvent) => void;
  /** Told of every provision call's outcome. */
  onProvision?: (attempt: ProvisionAttempt) => void;
  allowDestroy?: boolean;
  /** Plan and apply past `safety.max_nodes_per_pool` / `safety.max_create` (`prepare` may ask the planner to cap at them instead). */
  allowLarge?: boolean;
  concurrency?: number;
}

export interface PassOutcome {
  state: TargetState;
  /** The plan applied (or declined). */
  plan: Plan;
  /** Undefined when `decide` declined or a stop came before apply started. */
  result: ApplyResult | undefined;
  published: PublishOutcome | undefined;
  lock: LockInfo | undefined;
  stopped: boolean;
  /** Providers that could not be listed: their pools were left unchanged. */
  gaps: ObservationGap[];
  /** The observed fleet the plan was made from (after `prepare`). */
  observed: ObservedFleet;
  /** The status as written and handed to the target; undefined when nothing was applied. */
  status: FleetStatus | undefined;
  /** What `prepare` did before the plan. */
  steps: Array<Omit<StatusEvent, 'time'>>;
}

/** Runs one pass: read → lock → read again → observe → plan → apply → commit status → unlock. */
export async function runPass(opts: PassOptions): Promise<PassOutcome> {
  const { target, clock, logger } = opts;
  const first = await readTarget(target);
  opts.onRead?.(first);
  const l = opts.lock ?? {};
  // Every target has a lock: a ref on the remote, or a file in the directory when nothing is shared.
  const store = await target.lockStore({ ref: l.ref ?? lockRefFor(first.desired.fleet), author: opts.author, clock });
  const lock = await acquireLock({
    store,
    clock,
    logger,
    fleet: first.desired.fleet,
    holder: l.holder ?? currentHolder(opts.env),
    command: opts.command,
    ...(l.ttlMs !== undefined ? { ttlMs: l.ttlMs } : {}),
    ...(l.timeoutMs !== undefined ? { timeoutMs: l.timeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(l.onWait ? { onWait: l.onWait } : {}),
    ...(l.onTakeOver ? { onTakeOver: l.onTakeOver } : {}),
  });
  lock.startHeartbeat();
  l.onAcquired?.(lock.info, store);
  try {
    // Whatever happened while waiting for the lock (another applier's status, a new config commit) is read now.
    const state = await readTarget(target);
    opts.onRead?.(state);
    const signal = opts.signal ? AbortSignal.any([opts.signal, lock.lost]) : lock.lost;
    const opened = await openTargetWorkspace(target, state, { ...opts, signal });
    const prepared = opts.prepare ? await opts.prepare(opened, state) : { ws: opened };
    const ws = prepared.ws;
    const fresh = planWorkspace(ws, clock, { large: opts.allowLarge ? 'allow' : 'guard', ...prepared.planOptions });
    const chosen = opts.decide ? await opts.decide(fresh, ws, state) : fresh;
    const observed = ws.observation.observed;
    const steps = prepared.events ?? [];
    const base = { state, lock: lock.info, published: undefined, result: undefined, gaps: observed.gaps, observed, status: undefined, steps };
    if (!chosen) return { ...base, plan: fresh, stopped: false };
    if (signal.aborted) {
      lock.lost.throwIfAborted();
      return { ...base, plan: chosen, stopped: true };
    }
    const finish = (s: FleetStatus): FleetStatus => (opts.finishStatus ? opts.finishStatus(s, state) : s);
    let latest: FleetStatus | undefined;
    const result = await apply({
      plan: chosen,
      desired: state.desired,
      observed,
      previousStatus: state.status,
      providers: ws.providers,
      clock,
      writeStatus: async (s) => {
        latest = finish(s);
        if (target.statusOnDisk) await writeStatus(target.workdir, state.desired.statusFile, latest);
      },
      allowDestroy: opts.allowDestroy ?? false,
      allowLarge: opts.allowLarge ?? false,
      memory: ws.memory,
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      ...(opts.onProvision ? { onProvision: opts.onProvision } : {}),
      signal,
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.hooks ? { hooks: opts.hooks } : {}),
      ...(opts.userData ? { userData: opts.userData } : {}),
      events: steps,
    });
    await saveMemory(target.workdir, ws.memory);
    // A lock lost mid-apply means someone else may be applying now: their status wins, ours is not pushed.
    lock.lost.throwIfAborted();
    const status = latest ?? finish(result.status);
    const published = await target.publish(state.snapshot, state.desired.statusFile, serializeStatus(status), statusCommitMessage(state.desired, chosen, result, steps));
    return { ...base, plan: chosen, result, published, status, stopped: opts.signal?.aborted ?? false };
  } finally {
    try {
      if (!(await lock.release())) logger.warn({ lock: lock.info }, 'the fleet lock was no longer ours at release; left as it is');
    } catch (err) {
      // Unreleased, it expires by itself; the pass's own outcome matters more than this.
      logger.warn({ err, lock: lock.info }, 'could not release the fleet lock; it expires by itself');
    }
  }
}
