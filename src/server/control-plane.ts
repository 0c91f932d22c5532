/**
 * `navarch serve`'s loop: reconcile on an interval, on demand, and on events (a node turning
 * unhealthy, a node a replacement waits on registering or reporting, a lifecycle's deadline); one
 * reconcile at a time, with requests during one coalesced into the next. No reconcile waits for a
 * node: replacements are lifecycles each pass advances. Holds the configuration the last reconcile
 * read, which the API uses for health policies and intervals.
 */
import type { UserDataHook } from '../apply/index.js';
import { directoryTarget, type PassLockOptions } from '../engine/index.js';
import { DEFAULT_AUTHOR, describeLock, LockBusyError, type ConfigTarget, type GitAuthor, type LockInfo } from '../git/index.js';
import { judgeNode, resolvePolicy, type BreakerResult, type BreakerState, type HealthPolicy } from '../health/index.js';
import type { Logger } from '../log/index.js';
import { asNavarchError, type Clock, type DesiredFleet, type FleetStatus, type ObservedNode, type StatusLifecycle } from '../model/index.js';
import { lifecyclePart } from '../status/index.js';
import type { Provider } from '../providers/index.js';
import type { ControlSurface } from './admin-routes.js';
import { Metrics, type NodeView } from './metrics.js';
import { NodeService } from './nodes.js';
import { logEvent, type ControlPlaneEvent, type ReconcileSummary } from './event-log.js';
import { createNotifier, type Notifier } from './notifier/index.js';
import { Lifecycles } from './lifecycles.js';
import { reconcileOnce, type PassFacts, type ReconcileTiming } from './reconcile.js';
import { parseControlPlane, type ControlPlaneSettings } from './settings.js';
import type { Eviction, Store } from './store/index.js';
import type { PushNotice } from './webhook.js';

export type { ControlPlaneEvent, ReconcileSummary } from './event-log.js';

/** How soon a pass skipped for the fleet lock is tried again while a replacement is in flight. */
const LOCK_RETRY_MS = 5_000;

export interface ControlPlaneOptions {
  /** Where the configuration comes from and the status goes: a git repository, or a directory. */
  target: ConfigTarget | string;
  /** Author of status commits (default: navarch). */
  author?: GitAuthor;
  /** Fleet lock settings (git). */
  lock?: PassLockOptions;
  clock: Clock;
  logger: Logger;
  env: Readonly<Record<string, string | undefined>>;
  store: Store;
  settings: ControlPlaneSettings;
  providers?: ReadonlyMap<string, Provider>;
  allowDestroy?: boolean;
  /** Go past `safety.max_nodes_per_pool` / `safety.max_create` (otherwise each reconcile stops at them). */
  allowLarge?: boolean;
  /** When the control plane started listening. */
  startedAt: number;
  /** The user data new nodes boot with (the agent's bootstrap). */
  userData?: UserDataHook;
  onEvent?: (e: ControlPlaneEvent) => void;
  /** Told of every node id the control plane learns of (the auth layer's token index). */
  known?: (nodeId: string) => void;
  metrics?: Metrics;
}

export class ControlPlane implements ControlSurface {
  readonly nodes: NodeService;
  readonly metrics: Metrics;
  private settings: ControlPlaneSettings;
  private desired: DesiredFleet | undefined;
  private notifier: Notifier;
  private notifierKey = '';
  readonly lifecycles: Lifecycles;
  private lastStatus: FleetStatus | undefined;
  private readonly target: ConfigTarget;
  /** The branch the last reconcile read, and the status commit this process pushed last: pushes of those are no news. */
  private branch = '';
  private lastPushed: string | undefined;
  private lastObserved: ObservedNode[] = [];
  /** What the last pass's planner took as each node's health (after the breakers), for `GET /v1/facts`. */
  private lastFacts: PassFacts | undefined;
  private configError: string | undefined = 'no reconcile has run yet';
  private running: Promise<ReconcileSummary> | undefined;
  private queued: Promise<ReconcileSummary> | undefined;
  private wake: (() => void) | undefined;
  /** The earliest lifecycle deadline a reconcile is scheduled for, and how to cancel that. */
  private deadline: { at: number; cancel: AbortController } | undefined;
  /** Aborted by close(): nothing new starts. */
  private readonly lifetime = new AbortController();
  /** Set while the store is over budget with nothing left it may drop, so that is said once. */
  private storeFull = false;
  private storeMaxBytes = 0;
  /** Where the events go (see event-log.ts). */
  private readonly log: Logger;

  constructor(private readonly opts: ControlPlaneOptions) {
    this.log = opts.logger.child({ component: 'control-plane' });
    this.settings = opts.settings;
    this.target = typeof opts.target === 'string' ? directoryTarget(opts.target) : opts.target;
    this.metrics = opts.metrics ?? new Metrics();
    this.notifier = this.buildNotifier(opts.settings);
    this.nodes = new NodeService({
      store: opts.store,
      clock: opts.clock,
      logger: opts.logger.child({ component: 'nodes' }),
      metrics: this.metrics,
      policyFor: (pool) => this.policyFor(pool),
      notifier: () => this.notifier,
      intervals: () => this.settings,
      startedAt: opts.startedAt,
      poolOf: (node) => this.poolOf(node),
      ...(opts.known ? { known: opts.known } : {}),
    });
    this.lifecycles = new Lifecycles({
      store: opts.store,
      nodes: this.nodes,
      clock: opts.clock,
      logger: opts.logger.child({ component: 'lifecycles' }),
      metrics: this.metrics,
      notifier: () => this.notifier,
      settings: () => this.settings,
      emit: (e) => this.emit(e),
      wakeAt: (at) => this.wakeAt(at),
    });
    this.limitStore(opts.settings.storeMaxBytes);
    // A node that turns unhealthy is acted on now, not at the next interval.
    this.nodes.on('unhealthy', (node: string) => void this.trigger(`node ${node} turned unhealthy`));
    // So is news of a node a lifecycle waits on: the replacement registered or reported, the old node's drain was acknowledged.
    this.nodes.on('reported', (node: string) => {
      if (this.lifecycles.of(node)) void this.trigger(`node ${node} of a replacement in flight changed`);
    });
  }

  /** Schedules a reconcile for when time alone moves a lifecycle on (a drain or ready deadline). */
  private wakeAt(at: number): void {
    if (this.lifetime.signal.aborted || (this.deadline && this.deadline.at <= at)) return;
    this.deadline?.cancel.abort();
    const cancel = new AbortController();
    this.deadline = { at, cancel };
    const ms = Math.max(0, at - this.opts.clock.now());
    this.opts.clock.sleep(ms, AbortSignal.any([cancel.signal, this.lifetime.signal])).then(
      () => {
        if (this.deadline?.cancel === cancel) this.deadline = undefined;
        void this.trigger('a replacement reached a deadline');
      },
      () => undefined,
    );
  }

  private buildNotifier(s: ControlPlaneSettings): Notifier {
    this.notifierKey = JSON.stringify(s.notifier);
    return createNotifier(s.notifier, { clock: this.opts.clock, logger: this.opts.logger.child({ component: 'notifier' }), env: this.opts.env });
  }

  policyFor(pool: string | undefined): HealthPolicy {
    const spec = this.desired?.pools.find((p) => p.name === pool);
    return resolvePolicy(spec?.health, this.settings.heartbeatIntervalMs);
  }

  /** Adopts what a reconcile read. Listening address, store, TLS and the metrics token need a restart; the rest applies now. */
  private configure(desired: DesiredFleet): ReconcileTiming {
    const next = parseControlPlane(desired.controlPlane);
    this.settings = { ...next, listen: this.settings.listen, store: this.settings.store, tls: this.settings.tls, metricsTokenEnv: this.settings.metricsTokenEnv, url: this.settings.url ?? next.url };
    if (next.storeMaxBytes !== this.storeMaxBytes) this.limitStore(next.storeMaxBytes);
    if (JSON.stringify(next.notifier) !== this.notifierKey) this.notifier = this.buildNotifier(this.settings);
    this.desired = desired;
    const heartbeatTimeoutMs = Math.max(...desired.pools.map((p) => this.policyFor(p.name).heartbeatTimeoutMs), this.policyFor(undefined).heartbeatTimeoutMs);
    return { breakerWindowMs: this.settings.breakerWindowMs, eventRetentionMs: this.settings.eventRetentionMs, heartbeatTimeoutMs };
  }

  /** store_max_bytes applies at once, without a restart. */
  private limitStore(maxBytes: number): void {
    this.storeMaxBytes = maxBytes;
    this.opts.store.limit(maxBytes, (e) => this.onEvict(e));
  }

  private onEvict(e: Eviction): void {
    if (e.records > 0) {
      this.metrics.storeEvictions.inc({ kind: e.kind }, e.records);
      this.opts.logger.warn(
        { kind: e.kind, records: e.records, bytes: e.bytes, nodes: e.owners.slice(0, 10), storeMaxBytes: this.storeMaxBytes },
        'store full: dropped the oldest low-severity records of the nodes holding the most',
      );
    }
    if (e.overBudget && !this.storeFull) {
      this.opts.logger.error({ kind: e.kind, storeMaxBytes: this.storeMaxBytes }, 'store over its budget with nothing left it may drop (fatal events are kept); raise control_plane.store_max_bytes');
    }
    this.storeFull = e.overBudget;
  }

  /** Every event is a record of the log, then told to whoever listens. */
  private emit(e: ControlPlaneEvent): void {
    logEvent(this.log, e);
    this.opts.onEvent?.(e);
  }

  private onBreaker(pool: string, r: BreakerResult): void {
    this.metrics.breakerOpen.set({ pool }, r.state.open ? 1 : 0);
    if (r.transition === 'opened') this.emit({ type: 'breaker', pool, transition: 'opened', message: r.state.message ?? 'circuit breaker open' });
    if (r.transition === 'closed') this.emit({ type: 'breaker', pool, transition: 'closed', message: r.state.message ?? 'automatic replacement resumes' });
  }

  private async runOnce(reason: string): Promise<ReconcileSummary> {
    const { clock } = this.opts;
    const started = clock.now();
    this.emit({ type: 'reconcile-start', reason });
    let summary: ReconcileSummary;
    let detail: { code?: string; lock?: LockInfo } = {};
    try {
      const out = await reconcileOnce({
        target: this.target,
        author: this.opts.author ?? DEFAULT_AUTHOR,
        lock: this.opts.lock,
        clock,
        logger: this.opts.logger,
        env: this.opts.env,
        providers: this.opts.providers,
        store: this.opts.store,
        startedAt: this.opts.startedAt,
        allowDestroy: this.opts.allowDestroy ?? false,
        allowLarge: this.opts.allowLarge ?? false,
        configure: (d) => this.configure(d),
        onRead: (state) => {
          // Read and valid: the API serves this configuration's policies, and the status as committed,
          // even when another applier holds the lock.
          this.configure(state.desired);
          this.configError = undefined;
          this.branch = state.snapshot.branch;
          this.lastStatus = state.status ?? this.lastStatus;
        },
        policyFor: (p) => this.policyFor(p),
        lifecycles: this.lifecycles,
        userData: this.opts.userData,
        onApplyEvent: (event) => this.emit({ type: 'apply', event }),
        onProvision: (a) => this.metrics.countProvision(a),
        onBreaker: (pool, r) => this.onBreaker(pool, r),
        onFacts: (f) => (this.lastFacts = f),
        signal: this.lifetime.signal,
      });
      this.lastObserved = out.observed;
      for (const n of out.observed) if (n.name) this.opts.known?.(n.name);
      const git = {
        ...(out.desiredCommit ? { desiredCommit: out.desiredCommit } : {}),
        ...(out.published?.pushed && out.published.commit ? { statusCommit: out.published.commit } : {}),
      };
      if (git.statusCommit) this.lastPushed = git.statusCommit;
      if (out.status) {
        this.lastStatus = out.status;
        const result = out.status.history[0]?.result ?? 'no-changes';
        summary = { result, actions: out.actions, warnings: out.warnings, ...git };
      } else {
        summary = { result: 'skipped', actions: 0, warnings: out.warnings, skipped: 'the control plane is stopping', ...git };
      }
    } catch (err) {
      if (err instanceof LockBusyError) {
        // Another applier (a second control plane, a CI apply) has the fleet; it will record the status.
        const skipped = `fleet locked by ${describeLock(err.lock, clock.now())}`;
        // A replacement in flight may have been waiting for this pass (its node just reported): try again soon, not at the next interval.
        if (this.lifecycles.inFlight().length > 0) this.wakeAt(clock.now() + Math.min(this.settings.intervalMs, LOCK_RETRY_MS));
        summary = { result: 'skipped', actions: 0, warnings: [], skipped };
        detail = { lock: err.lock };
      } else {
        const e = asNavarchError(err);
        if (e.code === 'config.invalid') this.configError = e.message;
        summary = { result: 'failed', actions: 0, warnings: [], error: e.message };
        detail = { code: e.code };
      }
    }
    const durationMs = clock.now() - started;
    this.metrics.reconciles.inc({ result: summary.result });
    this.metrics.reconcileSeconds.observe(durationMs / 1000);
    this.emit({ type: 'reconcile-done', summary, durationMs, ...detail });
    return summary;
  }

  /** Starts a reconcile, or joins the next one when one is running. */
  trigger(reason: string): Promise<ReconcileSummary> {
    if (this.lifetime.signal.aborted) return Promise.resolve({ result: 'failed', actions: 0, warnings: [], error: 'the control plane is stopping' });
    if (!this.running) {
      this.running = this.runOnce(reason).finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.trigger(reason);
    });
    return this.queued;
  }

  /** Resolves when no reconcile is running or queued. */
  async idle(): Promise<void> {
    while (this.running || this.queued) await (this.queued ?? this.running);
  }

  /** Stops: actions in flight finish, nothing new starts; lifecycles in flight are carried on after a restart. */
  async close(): Promise<void> {
    this.lifetime.abort(new Error('the control plane is stopping'));
    this.deadline?.cancel.abort();
    this.wake?.();
    await this.idle();
  }

  /** Reconciles every `interval` and whenever poked, until `signal` aborts or close() is called. */
  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => void this.close(), { once: true });
    while (!signal.aborted && !this.lifetime.signal.aborted) {
      await this.trigger('interval');
      await new Promise<void>((resolve) => {
        const stop = new AbortController();
        this.wake = () => stop.abort();
        this.opts.clock.sleep(this.settings.intervalMs, AbortSignal.any([signal, stop.signal])).then(resolve, () => resolve());
      });
    }
    await this.idle();
  }

  async reconcile(wait: boolean, reason = 'requested through the API'): Promise<ReconcileSummary | undefined> {
    const p = this.trigger(reason);
    this.wake?.();
    return wait ? p : undefined;
  }

  /**
   * A push webhook: reconcile now, so a merged change is applied without waiting for the interval.
   * A push to another branch, or of the status commit this control plane just pushed, changes
   * nothing it reads and is acknowledged without a reconcile.
   */
  pushed(push: PushNotice): { queued: boolean; reason: string } {
    if (push.ref !== undefined && this.branch && push.ref !== `refs/heads/${this.branch}`) {
      return { queued: false, reason: `${push.ref} is not the branch this control plane reads (${this.branch})` };
    }
    if (push.after !== undefined && push.after === this.lastPushed) return { queued: false, reason: 'the status commit this control plane pushed' };
    const what = push.after ? ` (${push.after.slice(0, 7)})` : '';
    void this.reconcile(false, `push to ${push.ref ?? 'the repository'}${what}`);
    return { queued: true, reason: 'reconcile queued' };
  }

  fleet(): FleetStatus | undefined {
    return this.lastStatus;
  }

  facts(): PassFacts | undefined {
    return this.lastFacts;
  }

  async resetBreaker(pool: string): Promise<BreakerState> {
    const state: BreakerState = { open: false, resetAt: this.opts.clock.now() };
    await this.opts.store.setBreaker(pool, state);
    this.metrics.breakerOpen.set({ pool }, 0);
    this.opts.logger.warn({ pool }, 'circuit breaker reset by an operator: failures seen so far will be replaced');
    void this.trigger(`breaker of pool ${pool} reset`);
    return state;
  }

  ready(): { ready: boolean; reason: string | undefined } {
    return { ready: this.configError === undefined, reason: this.configError };
  }

  lifecycleOf(node: string): StatusLifecycle | undefined {
    return lifecyclePart(this.lifecycles.inFlight(), node);
  }

  /** A node's pool as the fleet knows it: the status as last written (nodes created by the last pass included), else the last observation. */
  poolOf(node: string): string | undefined {
    return this.lastStatus?.nodes.find((n) => n.name === node)?.pool || this.lastObserved.find((n) => n.name === node)?.pool;
  }

  /**
   * Every node for /metrics: the registered ones, and the fleet's running or booting nodes whose
   * agents have not registered yet, judged as the reconcile judges them (unknown, until the
   * registration timeout makes them unhealthy). The fleet is the status as last written, so the
   * nodes the last pass created count from the first scrape after it.
   */
  async views(): Promise<NodeView[]> {
    const now = this.opts.clock.now();
    const views = await this.nodes.views();
    const seen = new Set(views.map((v) => v.node));
    for (const n of this.lastStatus?.nodes ?? []) {
      if (!n.name || seen.has(n.name) || (n.state !== 'running' && n.state !== 'pending')) continue;
      const launched = n.launched_at ? Date.parse(n.launched_at) : NaN;
      const input = { registered: undefined, launchedAt: Number.isFinite(launched) ? launched : undefined, watchingSince: this.opts.startedAt };
      const { health } = judgeNode(input, this.policyFor(n.pool), now);
      views.push({ node: n.name, pool: n.pool, health, gpuCount: undefined, gpus: [], checks: [], silentSeconds: undefined });
    }
    return views;
  }
}
