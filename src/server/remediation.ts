/**
 * The steps around a node's end that only the control plane can take: cordon and drain before it
 * goes, and for a replacement, wait until the new node has registered, passed its boot checks and
 * reported healthy before the old one is terminated. A replacement that never gets there fails,
 * and the old node is kept.
 */
import type { LifecycleHooks } from '../apply/index.js';
import type { Logger } from '../log/index.js';
import { formatDuration, NavarchError, type Action, type Clock, type Plan } from '../model/index.js';
import type { NodeService } from './nodes.js';
import type { Notifier } from './notifier/index.js';
import type { ControlPlaneSettings } from './settings.js';
import type { NodeRecord, Store } from './store/index.js';

/** What remediation reports while it works. */
export type RemediationEvent =
  | { type: 'cordoned'; node: string; reason: string; notifierError: string | undefined }
  | { type: 'drain-timeout'; node: string; waitedMs: number }
  | { type: 'waiting-ready'; node: string; replaces: string };

export interface RemediationDeps {
  nodes: NodeService;
  store: Store;
  clock: Clock;
  logger: Logger;
  notifier(): Notifier;
  settings(): ControlPlaneSettings;
  emit(e: RemediationEvent): void;
}

/** Health-driven actions take away a node that is broken or being reclaimed. */
export const isHealthAction = (a: Action): boolean => a.reason.code === 'unhealthy' && (a.kind === 'replace' || a.kind === 'destroy');

interface Readiness {
  ready: boolean;
  failed?: string;
  waiting?: string;
  /** When a registered node with no report yet counts as ready. */
  graceEndsAt?: number;
}

export class Remediation {
  /** Unregistered nodes already cordoned and drained by this process, so the workload system hears it once. */
  private readonly drained = new Set<string>();

  constructor(private readonly deps: RemediationDeps) {}

  /** Before apply: cordon and drain every node a health-driven action takes away, so the drain runs while the replacement boots. */
  async prepare(plan: Plan): Promise<void> {
    for (const a of plan.actions.filter(isHealthAction)) {
      if (a.existing) await this.cordonAndDrain(a.existing.name, a.pool, a.reason.message);
    }
  }

  private async cordonAndDrain(node: string, pool: string, reason: string): Promise<void> {
    const record = await this.deps.store.getNode(node);
    // The store remembers a drain across restarts (and forgets it on uncordon); a node that never
    // registered has no record, so this process remembers it instead.
    if (record ? record.cordoned && record.drainRequestedAt !== undefined : this.drained.has(node)) return;
    if (!record) this.drained.add(node);
    const { notifierError } = await this.deps.nodes.cordon({ name: node, pool }, reason, true);
    this.deps.emit({ type: 'cordoned', node, reason, notifierError });
  }

  hooks(): LifecycleHooks {
    return {
      beforeDestroy: async (action, signal) => {
        const name = action.existing?.name;
        if (!name) return;
        await this.cordonAndDrain(name, action.pool, action.reason.message);
        await this.waitDrained(name, action.pool, signal);
      },
      waitReady: (action, _instance, signal) => this.waitReady(action, signal),
    };
  }

  private async waitDrained(node: string, pool: string, signal: AbortSignal | undefined): Promise<void> {
    const { clock } = this.deps;
    const { drainTimeoutMs, pollIntervalMs } = this.deps.settings().notifier;
    const start = clock.now();
    for (;;) {
      try {
        if (await this.deps.notifier().isDrained({ name: node, pool }, signal)) return;
      } catch (err) {
        this.deps.logger.warn({ node, err: (err as Error).message }, 'drain status unknown');
      }
      const waited = clock.now() - start;
      if (waited >= drainTimeoutMs) {
        // The node is broken or going anyway: waiting longer keeps a bad machine, not the work.
        this.deps.emit({ type: 'drain-timeout', node, waitedMs: waited });
        return;
      }
      await clock.sleep(Math.min(pollIntervalMs, drainTimeoutMs - waited), signal);
    }
  }

  private readiness(r: NodeRecord | undefined, now: number): Readiness {
    if (!r) return { ready: false, waiting: 'its agent has not registered' };
    const v = this.deps.nodes.verdict(r, now);
    if (v.health === 'unhealthy') return { ready: false, failed: v.reason ?? 'unhealthy' };
    if (v.cause === 'silence') return { ready: false, waiting: v.reason ?? 'it went silent' };
    const last = r.health.last;
    if (last && last.health !== 'unhealthy') return { ready: true };
    if (last) return { ready: false, waiting: `its last health report was unhealthy: ${last.reason ?? ''}` };
    const graceEndsAt = r.registeredAt + this.deps.settings().readyGraceMs;
    if (now >= graceEndsAt) return { ready: true };
    return { ready: false, waiting: 'registered; waiting for its first health report', graceEndsAt };
  }

  /** Resolves once the replacement is ready; throws (keeping the old node) when it fails or times out. */
  async waitReady(action: Action, signal?: AbortSignal): Promise<void> {
    const { clock } = this.deps;
    const name = action.node;
    const old = action.existing?.name ?? 'the old node';
    const timeout = this.deps.settings().readyTimeoutMs;
    const deadline = clock.now() + timeout;
    this.deps.emit({ type: 'waiting-ready', node: name, replaces: old });
    for (;;) {
      const now = clock.now();
      const r = this.readiness(await this.deps.store.getNode(name), now);
      if (r.ready) return;
      if (r.failed) throw new NavarchError('replace.unhealthy', `replacement ${name} is unhealthy: ${r.failed}; ${old} is kept`);
      if (now >= deadline) {
        throw new NavarchError('replace.timeout', `replacement ${name} was not ready within ${formatDuration(timeout)} (${r.waiting ?? 'not ready'}); ${old} is kept`);
      }
      await this.nextChange(name, Math.min(deadline, r.graceEndsAt ?? deadline) - now, signal);
    }
  }

  /** Resolves when the node changes, `ms` pass on the clock, or rejects when `signal` aborts. */
  private nextChange(node: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    const done = new AbortController();
    const stop = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
    return new Promise<void>((resolve, reject) => {
      const onChange = (id: string): void => {
        if (id === node) finish();
      };
      const finish = (): void => {
        this.deps.nodes.off('changed', onChange);
        done.abort();
        resolve();
      };
      this.deps.nodes.on('changed', onChange);
      this.deps.clock.sleep(Math.max(0, ms), stop).then(finish, (err: unknown) => {
        this.deps.nodes.off('changed', onChange);
        if (signal?.aborted) reject(err);
        else resolve();
      });
    });
  }
}
