/**
 * apply(plan): executes a Plan and records what happened. It never re-decides what the plan
 * decided: it refuses a plan that breaks a guard, then runs each action with bounded concurrency,
 * writes the status after every completed action, and on a stop request starts nothing new.
 */
import {
  flagsNeeded,
  guardFlag,
  GuardError,
  NavarchError,
  ProviderError,
  retry,
  type Action,
  type Clock,
  type DesiredFleet,
  type FleetStatus,
  type Instance,
  type ObservedFleet,
  type Plan,
  type StatusEvent,
  type UnknownPool,
} from '../model/index.js';
import type { Provider } from '../providers/index.js';
import { StatusBook } from '../status/index.js';
import { CapacityMemory } from './capacity-memory.js';
import type { ActionResult, ApplyEvent } from './events.js';
import { mapLimit, SerialQueue } from './limit.js';
import { provisionNode, type ProvisionAttempt, type ProvisionContext, type UserDataHook } from './provision.js';

/** Apply's own steps, lent to a hook that takes an action over, so what it does is recorded in the status. */
export interface ApplyTools {
  /** Creates the action's new node (its placements in order, failover, user data). */
  create(): Promise<Instance>;
  /** Terminates an instance; one already gone counts as terminated. */
  terminate(provider: string, instanceId: string): Promise<void>;
  /** Records an event in the status. */
  event(e: Omit<StatusEvent, 'time'>): void;
}

/** What a hook did with an action it took over (it records its steps in the status itself, through the tools). */
export interface HandOver {
  /** What was done now, for the status and the log (`started replacing train-1 with train-3`). */
  message: string;
  /** The node created now, if one was. */
  instance?: Instance | undefined;
  /** The action is finished (`ok`); otherwise it was started and finishes in a later pass (`started`). */
  finished: boolean;
}

/**
 * What the control plane adds: it takes over the actions that take a named node away (replace,
 * destroy) and carries them out as lifecycles over several passes (cordon, drain, the replacement's
 * boot), so that no apply ever waits for a node. One-shot applies have no hooks and run them inline.
 */
export interface LifecycleHooks {
  /** Takes over a replace or destroy of a named node; throwing fails the action. */
  handOver?(action: Action, tools: ApplyTools, signal?: AbortSignal): Promise<HandOver>;
}

export interface ApplyOptions {
  plan: Plan;
  desired: DesiredFleet;
  observed: ObservedFleet;
  previousStatus: FleetStatus | undefined;
  providers: ReadonlyMap<string, Provider>;
  clock: Clock;
  /** Called with the status after every completed action, and once more at the end. */
  writeStatus: (status: FleetStatus) => Promise<void>;
  onEvent?: (e: ApplyEvent) => void;
  /** Told of every provision call's outcome, retries included (the control plane counts them; apply keeps no metrics). */
  onProvision?: (attempt: ProvisionAttempt) => void;
  allowDestroy?: boolean;
  /** Apply a plan past `safety.max_nodes_per_pool` / `safety.max_create`. */
  allowLarge?: boolean;
  concurrency?: number;
  /** When aborted, actions not yet started are skipped; those in flight finish. */
  signal?: AbortSignal;
  memory?: CapacityMemory;
  hooks?: LifecycleHooks;
  /** What happened before the plan's actions that the status should record (lifecycle steps of this pass). */
  events?: ReadonlyArray<Omit<StatusEvent, 'time'>>;
  userData?: UserDataHook;
  retry?: { attempts: number; baseMs: number; maxMs: number };
}

export interface ApplyResult {
  results: ActionResult[];
  status: FleetStatus;
  /** Every action succeeded, and the plan left no pool unknown. */
  ok: boolean;
  /** The plan's unknown pools: not applied, their records left as they were. */
  unknown: UnknownPool[];
  /**
   * The failure that stopped the run (an `auth` or `invalid` provider error): actions in flight
   * finished, and every action not yet started is in `results` as skipped.
   */
  stoppedBy: { action: Action; error: string } | undefined;
}

/**
 * Provider errors after which nothing new starts: the credentials or the requests themselves are
 * wrong, so every later call would be refused the same way (or, worse, half of them accepted).
 */
function stopsTheRun(err: unknown): boolean {
  return err instanceof ProviderError && (err.errorClass === 'auth' || err.errorClass === 'invalid');
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Checks everything that can be checked before the first provider call. */
export function preflight(opts: Pick<ApplyOptions, 'plan' | 'providers' | 'allowDestroy' | 'allowLarge'>): void {
  const allowed = { '--allow-destroy': opts.allowDestroy ?? false, '--allow-large': opts.allowLarge ?? false };
  const broken = opts.plan.guards.filter((g) => !allowed[guardFlag(g)]);
  if (broken.length > 0) {
    const flags = flagsNeeded({ guards: broken });
    const which = flags.map((f) => (f === '--allow-destroy' ? 'the destroy guard' : 'the size limits')).join(' and ');
    throw new GuardError(`the plan breaks ${which}; nothing was changed. ${broken.map((g) => g.message).join('; ')}. Re-run with ${flags.join(' and ')} if this is intended.`, {
      guards: broken,
    });
  }
  for (const a of opts.plan.actions) {
    const names = [...a.placements.map((p) => p.provider), ...(a.existing ? [a.existing.provider] : [])];
    for (const name of names) {
      if (!opts.providers.has(name)) {
        throw new NavarchError('apply.provider-missing', `action ${a.id} needs provider "${name}", which is not configured; nothing was changed`);
      }
    }
  }
}

export async function apply(opts: ApplyOptions): Promise<ApplyResult> {
  preflight(opts);
  const { plan, clock } = opts;
  const emit = opts.onEvent ?? (() => undefined);
  const now = (): string => new Date(clock.now()).toISOString();
  const book = new StatusBook(opts.desired, opts.observed, opts.previousStatus, now, new Set(plan.unknown.map((u) => u.pool)));
  for (const e of opts.events ?? []) book.event(e);
  const writes = new SerialQueue();
  const flush = (final?: Parameters<StatusBook['snapshot']>[0]): Promise<FleetStatus> =>
    writes.run(async () => {
      const s = book.snapshot(final);
      await opts.writeStatus(s);
      return s;
    });
  const policy = opts.retry ?? { attempts: 5, baseMs: 1_000, maxMs: 30_000 };
  const memory = opts.memory ?? new CapacityMemory();

  const terminateInstance = async (action: Action, name: string, instanceId: string): Promise<void> => {
    const provider = opts.providers.get(name);
    if (!provider) throw new NavarchError('apply.provider-missing', `provider "${name}" is not configured`);
    try {
      await retry(() => provider.terminate(instanceId), {
        clock,
        ...policy,
        onRetry: (err, attempt, waitMs) => emit({ type: 'retry', action, error: message(err), attempt, waitMs }),
      });
    } catch (err) {
      if (!(err instanceof ProviderError && err.errorClass === 'not-found')) throw err;
    }
    book.nodeDestroyed(instanceId);
  };
  const terminate = async (action: Action): Promise<void> => {
    if (action.existing) await terminateInstance(action, action.existing.provider, action.existing.instanceId);
  };

  const create = async (action: Action): Promise<Instance> => {
    const ctx: ProvisionContext = {
      fleet: opts.desired.fleet,
      pool: opts.desired.pools.find((p) => p.name === action.pool),
      providers: opts.providers,
      clock,
      memory,
      emit,
      userData: opts.userData,
      onAttempt: opts.onProvision,
      ...policy,
    };
    const { instance, note } = await provisionNode(action, ctx);
    book.nodeCreated(instance, note);
    if (note) book.event({ action: 'failover', pool: action.pool, node: action.node, result: 'ok', message: note });
    return instance;
  };

  let stoppedBy: ApplyResult['stoppedBy'];
  const run = async (action: Action): Promise<ActionResult> => {
    if (opts.signal?.aborted || stoppedBy) {
      const reason = stoppedBy ? `not attempted: ${stoppedBy.action.id} failed with an error that stops the run` : 'stopped before it started';
      emit({ type: 'skipped', action, reason });
      book.event({ action: action.kind, pool: action.pool, node: action.node, result: 'skipped', message: reason });
      return { action, result: 'skipped', message: reason };
    }
    const started = clock.now();
    emit({ type: 'start', action });
    try {
      let instance: Instance | undefined;
      const handOver = opts.hooks?.handOver;
      if (handOver && (action.kind === 'replace' || action.kind === 'destroy') && action.existing?.name) {
        const tools: ApplyTools = {
          create: () => create(action),
          terminate: (provider, id) => terminateInstance(action, provider, id),
          event: (e) => book.event(e),
        };
        // The hook records its own steps (tools.event): what it started now and, later, how it ended.
        const taken = await handOver(action, tools, opts.signal);
        const result = taken.finished ? 'ok' : 'started';
        await flush();
        emit({ type: 'done', action, instance: taken.instance, durationMs: clock.now() - started, ...(taken.finished ? {} : { started: true }) });
        return { action, result, message: taken.message, ...(taken.instance ? { instance: taken.instance } : {}) };
      }
      if (action.kind === 'create') {
        instance = await create(action);
      } else if (action.kind === 'destroy') {
        await terminate(action);
      } else if (action.kind === 'replace') {
        if (action.order === 'destroy-before-create') {
          await terminate(action);
          await flush();
          instance = await create(action);
        } else {
          // Nothing to wait for without a control plane: no agent reports whether the new node is ready.
          instance = await create(action);
          await flush();
          await terminate(action);
        }
      } else {
        const existing = action.existing;
        const provider = existing && opts.providers.get(existing.provider);
        if (existing && provider?.setLabels) await provider.setLabels(existing.instanceId, action.labels?.after ?? {});
      }
      const done = describe(action, instance);
      book.event({ action: action.kind, pool: action.pool, node: action.node, result: 'ok', message: done });
      await flush();
      emit({ type: 'done', action, instance, durationMs: clock.now() - started });
      return { action, result: 'ok', message: done, ...(instance ? { instance } : {}) };
    } catch (err) {
      const msg = message(err);
      if (stopsTheRun(err)) stoppedBy ??= { action, error: msg };
      book.event({ action: action.kind, pool: action.pool, node: action.node, result: 'failed', message: msg });
      await flush();
      emit({ type: 'failed', action, error: msg, durationMs: clock.now() - started });
      return { action, result: 'failed', message: msg };
    }
  };

  const results = await mapLimit(plan.actions, opts.concurrency ?? opts.desired.settings.applyConcurrency, run);
  const failed = results.filter((r) => r.result === 'failed' || r.result === 'skipped').length;
  const unknown = plan.unknown;
  const result =
    failed > 0 && failed === results.length ? 'failed' : failed > 0 || unknown.length > 0 ? 'partial' : plan.actions.length === 0 ? 'no-changes' : 'applied';
  const { add, change, destroy } = plan.summary;
  const notPlanned = unknown.length > 0 ? `; not planned (provider could not be listed): ${unknown.map((u) => u.pool).join(', ')}` : '';
  const status = await flush({
    summary: `${add} to add, ${change} to change, ${destroy} to destroy${notPlanned}`,
    result,
    actions: plan.actions.length,
  });
  return { results, status, ok: failed === 0 && unknown.length === 0, unknown, stoppedBy };
}

function describe(action: Action, instance: Instance | undefined): string {
  const at = instance ? ` (${instance.id} on ${instance.provider} ${instance.zone ?? instance.region})` : '';
  // The node taken away is gone from the status once this is recorded; its event keeps why.
  const why = action.reason.code === 'unhealthy' ? `; ${action.existing?.name ?? action.node} was unhealthy: ${action.reason.message}` : '';
  switch (action.kind) {
    case 'create':
      return `created ${action.node}${at}`;
    case 'destroy':
      return `destroyed ${action.node} (${action.existing?.instanceId ?? '?'})${why}`;
    case 'replace':
      return `replaced ${action.existing?.name ?? '?'} with ${action.node}${at}${why}`;
    case 'update':
      return `updated labels of ${action.node}`;
  }
}
