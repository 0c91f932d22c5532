/**
 * The control plane's lifecycles: replacements and removals kept in the store and advanced by every
 * pass and on events. What to do next is health's decision (`advanceReplacement`); this runs it:
 * it gathers the facts, records each step before and after its effect, and carries the effects out
 * (cordons and drains through the node service and the notifier, creates and terminates on the
 * clouds). Nothing here waits for a node: a lifecycle that must wait is left as it is until the
 * next pass, which an event (a registration, a health report, a drain) or its deadline triggers.
 */
import { isDeepStrictEqual } from 'node:util';
import { mapLimit, type ApplyTools, type HandOver } from '../apply/index.js';
import {
  advanceReplacement,
  backOff,
  newNode,
  oldNode,
  recordOutcome,
  REPLACEMENT_KIND,
  replacementFinished,
  replacementOutcome,
  startReplacement,
  type EffectOutcome,
  type Replacement,
  type ReplacementEffect,
  type ReplacementFacts,
} from '../health/index.js';
import type { Logger } from '../log/index.js';
import { asNavarchError, formatDuration, NavarchError, TAG, type Action, type Clock, type HealthState, type InFlight, type Instance, type ObservedNode } from '../model/index.js';
import type { Metrics } from './metrics.js';
import type { NodeService } from './nodes.js';
import type { Notifier } from './notifier/index.js';
import type { ControlPlaneSettings } from './settings.js';
import type { LifecycleRow, Store } from './store/index.js';

/** What the lifecycles report while they work. */
export type LifecycleEvent =
  | { type: 'cordoned'; node: string; reason: string; notifierError: string | undefined }
  | { type: 'drain-timeout'; node: string; waitedMs: number }
  | { type: 'waiting-ready'; node: string; replaces: string }
  | { type: 'lifecycle'; id: string; pool: string; state: Replacement['state']; message: string };

export interface LifecycleDeps {
  store: Store;
  nodes: NodeService;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  notifier(): Notifier;
  settings(): ControlPlaneSettings;
  emit(e: LifecycleEvent): void;
  /** Told when time alone will next change a lifecycle (a drain or ready deadline). */
  wakeAt(at: number): void;
}

/**
 * One pass's view of the fleet as the lifecycles see it: what was listed (and what they created
 * and terminated since), the health verdicts before the breaker, and the open breakers.
 */
export class PassView {
  private readonly byName = new Map<string, ObservedNode | Instance>();
  private readonly ids = new Set<string>();
  readonly created: Instance[] = [];
  readonly terminated = new Set<string>();

  constructor(
    nodes: readonly ObservedNode[],
    private readonly healthOf: (node: string) => HealthState | undefined,
    private readonly haltedIn: (pool: string) => string | undefined,
    /** Pools whose nodes could not all be listed: their lifecycles wait for a pass that sees them. */
    readonly unseen: (pool: string, providers: readonly string[]) => boolean,
  ) {
    for (const n of nodes) {
      if (n.state === 'terminated') continue;
      this.ids.add(n.instanceId);
      if (n.name) this.byName.set(n.name, n);
    }
  }

  listed(instanceId: string): boolean {
    return this.ids.has(instanceId) && !this.terminated.has(instanceId);
  }

  node(name: string): { id: string; provider: string; region: string; zone: string | undefined; launchedAt: number | undefined } | undefined {
    const n = this.byName.get(name);
    if (!n) return undefined;
    const id = 'instanceId' in n ? n.instanceId : n.id;
    if (!this.listed(id)) return undefined;
    const launched = n.launchedAt ? Date.parse(n.launchedAt) : NaN;
    return { id, provider: n.provider, region: n.region, zone: n.zone, launchedAt: Number.isFinite(launched) ? launched : undefined };
  }

  health(name: string): HealthState | undefined {
    return this.healthOf(name);
  }

  halted(pool: string): string | undefined {
    return this.haltedIn(pool);
  }

  recordCreated(i: Instance): void {
    this.created.push(i);
    this.ids.add(i.id);
    const name = i.tags[TAG.node];
    if (name) this.byName.set(name, i);
  }

  recordTerminated(id: string): void {
    this.terminated.add(id);
  }
}

/** How a lifecycle acts on the clouds: apply's own steps during an apply, the pass's otherwise. */
export type LifecycleTools = (action: Action) => ApplyTools;

interface Entry {
  row: LifecycleRow;
  r: Replacement;
}

/** The steps one advance may take before it leaves the rest to the next pass (each owes an effect, so few are ever needed). */
const MAX_STEPS = 12;

export class Lifecycles {
  /** In flight (and finished ones still owing an effect), by id. */
  private readonly current = new Map<string, Entry>();

  constructor(private readonly deps: LifecycleDeps) {}

  /** Reads what the store holds in flight: at start, and at every pass (another writer may have moved it). */
  async load(): Promise<void> {
    const rows = await this.deps.store.lifecycles({ kind: REPLACEMENT_KIND, active: true });
    this.current.clear();
    for (const row of rows) this.current.set(row.id, { row, r: row.body as Replacement });
  }

  /** Every id the store has (finished ones too), so the status file's record of them is not taken for another's. */
  async known(): Promise<Set<string>> {
    return new Set((await this.deps.store.lifecycles({ kind: REPLACEMENT_KIND })).map((l) => l.id));
  }

  /**
   * Replacements and removals in flight, as the planner and the status file see them: a done or
   * failed one still owing its clean-up (a provider refused a terminate) owns its nodes until it is
   * carried out.
   */
  inFlight(): InFlight[] {
    return [...this.current.values()].map(({ r }) => ({
        id: r.id,
        pool: r.pool,
        old: oldNode(r),
        new: newNode(r),
        health: r.health,
        state: r.state,
        since: new Date(r.since).toISOString(),
        waitingFor: r.waitingFor,
      }));
  }

  /** A lifecycle in flight that concerns `node` (as its old or its new node). */
  of(node: string): Replacement | undefined {
    for (const { r } of this.current.values()) if (oldNode(r) === node || newNode(r) === node) return r;
    return undefined;
  }

  /** Advances every lifecycle in flight (as last loaded) as far as it goes now, several at once. */
  async advanceAll(view: PassView, tools: LifecycleTools, concurrency: number, signal?: AbortSignal): Promise<void> {
    const entries = [...this.current.values()].filter(({ r }) => {
      const providers = [r.action.existing?.provider, r.instance?.provider, ...r.action.placements.map((p) => p.provider)].filter((p): p is string => p !== undefined);
      return !view.unseen(r.pool, providers);
    });
    await mapLimit(entries, Math.max(1, concurrency), async (e) => {
      if (signal?.aborted) return;
      try {
        await this.advance(e, view, tools(e.r.action), signal);
      } catch (err) {
        // Left as recorded: the next pass tries the owed effect again.
        this.deps.logger.warn({ lifecycle: e.r.id, pool: e.r.pool, err: asNavarchError(err).message }, 'lifecycle step failed; retrying at the next pass');
      }
    });
  }

  /**
   * Apply's hand-over of a replace or destroy: records the lifecycle (a start replayed after a crash
   * finds the record of the first) and advances it as far as it goes now, with apply's own steps.
   */
  async start(action: Action, tools: ApplyTools, view: PassView, signal?: AbortSignal): Promise<HandOver> {
    const now = this.deps.clock.now();
    const stored = await this.deps.store.lifecycle(REPLACEMENT_KIND, action.id);
    let entry: Entry;
    if (stored && stored.finishedAt === undefined) {
      entry = { row: stored, r: stored.body as Replacement };
    } else {
      // A finished record under the same id is an earlier attempt whose node never existed: start over.
      const r = startReplacement(action, now);
      const row = await this.deps.store.saveLifecycle({ kind: REPLACEMENT_KIND, id: r.id, pool: r.pool, state: r.state, body: r, finished: false }, stored?.version ?? 0, now);
      if (!row) throw new NavarchError('lifecycle.conflict', `${action.id} was started by another writer at the same time`);
      entry = { row, r };
      this.deps.logger.info({ lifecycle: r.id, pool: r.pool, node: oldNode(r), replacement: newNode(r) }, `${action.kind === 'replace' ? 'replacement' : 'removal'} started`);
    }
    this.current.set(entry.row.id, entry);
    const created = view.created.length;
    // A failure now is the action's failure: apply records it, once.
    const own: ApplyTools = { ...tools, event: (e) => (e.result === 'failed' && e.node === action.node ? undefined : tools.event(e)) };
    await this.advance(entry, view, own, signal);
    const r = this.current.get(action.id)?.r ?? ((await this.deps.store.lifecycle(REPLACEMENT_KIND, action.id))?.body as Replacement | undefined) ?? entry.r;
    const instance = view.created.slice(created).find((i) => i.tags[TAG.node] === action.node);
    if (r.state === 'failed') throw new NavarchError('replace.failed', r.failure ?? 'the replacement failed');
    const outcome = replacementOutcome(r);
    if (outcome) return { message: outcome.message, instance, finished: true };
    const message = describeStarted(r);
    tools.event({ action: action.kind, pool: action.pool, node: action.node, result: 'started', message });
    return { message, instance, finished: false };
  }

  /** Runs one lifecycle until it waits: each step recorded before its effects, each effect's outcome after it. */
  private async advance(start: Entry, view: PassView, tools: ApplyTools, signal?: AbortSignal): Promise<void> {
    let entry: Entry | undefined = start;
    const s = this.deps.settings();
    const settings = { readyTimeoutMs: s.readyTimeoutMs, readyGraceMs: s.readyGraceMs, drainTimeoutMs: s.notifier.drainTimeoutMs };
    for (let i = 0; i < MAX_STEPS && entry; i++) {
      const now = this.deps.clock.now();
      const step = advanceReplacement(entry.r, await this.facts(entry.r, view, signal), settings, now);
      entry = await this.save(entry, step.next, tools);
      if (!entry) return;
      if (step.effects.length === 0) {
        if (step.wakeAt !== undefined) this.deps.wakeAt(step.wakeAt);
        return;
      }
      for (const effect of step.effects) {
        signal?.throwIfAborted();
        const outcome = await this.execute(effect, entry.r, view, tools, signal);
        entry = await this.save(entry, recordOutcome(entry.r, outcome, this.deps.clock.now()), tools);
        if (!entry) return;
      }
    }
  }

  private async facts(r: Replacement, view: PassView, signal?: AbortSignal): Promise<ReplacementFacts> {
    const ref = r.action.existing;
    const old = oldNode(r);
    const name = newNode(r);
    const record = name ? await this.deps.store.getNode(name) : undefined;
    let drained: boolean | undefined;
    if (r.cordonedAt !== undefined && r.drainedAt === undefined && r.terminatedAt === undefined) {
      try {
        drained = await this.deps.notifier().isDrained({ name: old, pool: r.pool }, signal);
      } catch (err) {
        this.deps.logger.warn({ node: old, err: asNavarchError(err).message }, 'drain status unknown');
      }
    }
    return {
      oldListed: ref !== undefined && view.listed(ref.instanceId),
      oldHealth: view.health(old),
      drained,
      newListed: name ? view.node(name) : undefined,
      newAgent: record
        ? { registeredAt: record.registeredAt, verdict: this.deps.nodes.verdict(record), lastReport: record.health.last }
        : undefined,
      halted: view.halted(r.pool),
    };
  }

  private async execute(e: ReplacementEffect, r: Replacement, view: PassView, tools: ApplyTools, signal?: AbortSignal): Promise<EffectOutcome> {
    const { store, clock, logger } = this.deps;
    switch (e.type) {
      case 'cordon': {
        const { notifierError } = await this.deps.nodes.cordon({ name: e.node, pool: e.pool }, e.reason, true);
        this.deps.emit({ type: 'cordoned', node: e.node, reason: e.reason, notifierError });
        return { type: 'cordoned' };
      }
      case 'create':
        try {
          const i = await tools.create();
          view.recordCreated(i);
          return { type: 'created', instance: { id: i.id, provider: i.provider, region: i.region, zone: i.zone } };
        } catch (err) {
          // A stop is not a failure of the replacement: it is carried on after the restart.
          if (signal?.aborted) throw err;
          return { type: 'create-failed', error: asNavarchError(err).message };
        }
      case 'terminate':
        await tools.terminate(e.provider, e.instanceId);
        view.recordTerminated(e.instanceId);
        return { type: 'terminated', target: e.target };
      case 'uncordon':
        await this.deps.nodes.release({ name: e.node, pool: e.pool }, `replacement ${r.action.node} failed`);
        return { type: 'uncordoned' };
      case 'backoff': {
        const prev = (await store.backoffs())[r.pool];
        const next = backOff(prev, r.id, e.message, clock.now());
        await store.setBackoff(r.pool, next);
        logger.error({ pool: r.pool, backoff: formatDuration(next.until - clock.now()) }, `replacement failed: ${e.message}`);
        return { type: 'backed-off' };
      }
      case 'clear-backoff':
        await store.setBackoff(r.pool, undefined);
        return { type: 'backoff-cleared' };
    }
  }

  /** Writes a changed record (compare-and-set on the version read) and says what changed; undefined when another writer got there first. */
  private async save(entry: Entry, next: Replacement, tools: ApplyTools): Promise<Entry | undefined> {
    if (isDeepStrictEqual(next, entry.r)) return entry;
    const now = this.deps.clock.now();
    const finished = replacementFinished(next);
    const row = await this.deps.store.saveLifecycle({ kind: REPLACEMENT_KIND, id: next.id, pool: next.pool, state: next.state, body: next, finished }, entry.row.version, now);
    if (!row) {
      this.deps.logger.warn({ lifecycle: next.id }, 'lifecycle changed by another writer; leaving it to the next pass');
      this.current.delete(next.id);
      return undefined;
    }
    const saved = { row, r: next };
    if (finished) this.current.delete(next.id);
    else this.current.set(next.id, saved);
    this.told(entry.r, next, tools, now);
    return saved;
  }

  /** Says what a step changed: events, the status, metrics, the log. */
  private told(prev: Replacement, next: Replacement, tools: ApplyTools, now: number): void {
    const replace = next.action.kind === 'replace';
    if (replace && next.state === 'waiting' && !prev.instance && next.instance && next.action.order !== 'destroy-before-create') {
      this.deps.emit({ type: 'waiting-ready', node: next.action.node, replaces: oldNode(next) });
    }
    if (next.drainTimedOut && !prev.drainTimedOut) {
      const waitedMs = now - (next.cordonedAt ?? now);
      this.deps.logger.warn({ node: oldNode(next), waitedMs }, 'drain timed out; terminating anyway');
      this.deps.emit({ type: 'drain-timeout', node: oldNode(next), waitedMs });
    }
    if (next.state === prev.state) return;
    const outcome = replacementOutcome(next);
    const message = outcome?.message ?? stepMessage(next);
    this.deps.logger.info({ lifecycle: next.id, pool: next.pool, state: next.state, ...(next.waitingFor ? { waitingFor: next.waitingFor } : {}) }, `${replace ? 'replacement' : 'removal'} ${next.state}`);
    this.deps.emit({ type: 'lifecycle', id: next.id, pool: next.pool, state: next.state, message });
    if (outcome) {
      tools.event({ action: next.action.kind, pool: next.pool, node: next.action.node, result: outcome.result, message: outcome.message });
      if (replace) this.deps.metrics.replacements.inc({ pool: next.pool, result: outcome.result });
    }
  }
}

/** What a step that is not an outcome does, in words. */
function stepMessage(r: Replacement): string {
  const old = oldNode(r);
  if (r.state === 'terminating') return `terminating ${old} (${r.action.existing?.instanceId ?? '?'})${r.drainTimedOut ? '; its drain was not confirmed in time' : ''}`;
  if (r.state === 'creating') return `creating ${r.action.node}: ${old} went first, the pool is at max_nodes`;
  return r.waitingFor ?? r.state;
}

function describeStarted(r: Replacement): string {
  const old = oldNode(r);
  const i = r.instance;
  const at = i ? ` (${i.id} on ${i.provider} ${i.zone ?? i.region})` : '';
  const what = r.action.kind === 'replace' ? `started replacing ${old} with ${r.action.node}${at}` : `started removing ${old}`;
  const why = r.health ? `; ${old} is unhealthy: ${r.action.reason.message}` : '';
  return `${what}${why}${r.waitingFor ? `; waiting for ${r.waitingFor}` : ''}`;
}
