/**
 * What the control plane does, as records of its one logger: reconciles, the actions they apply,
 * breakers, lifecycle steps, cordons and drains. A reconcile that changed nothing is only `debug`, so an idle
 * control plane's log stays quiet at the default level.
 */
import type { ApplyEvent } from '../apply/index.js';
import type { LockInfo } from '../git/index.js';
import type { Logger } from '../log/index.js';
import type { LifecycleEvent } from './lifecycles.js';

export interface ReconcileSummary {
  /** `skipped`: another applier held the fleet lock, or the control plane was stopping. */
  result: 'applied' | 'no-changes' | 'partial' | 'failed' | 'skipped';
  actions: number;
  warnings: string[];
  error?: string;
  /** Why the reconcile was skipped. */
  skipped?: string;
  /** The commit the desired state was read at (git). */
  desiredCommit?: string;
  /** The status commit this reconcile pushed (git). */
  statusCommit?: string;
}

export type ControlPlaneEvent =
  | { type: 'reconcile-start'; reason: string }
  /** `code`: the failure's error code; `lock`: the lock that made it skip. */
  | { type: 'reconcile-done'; summary: ReconcileSummary; durationMs: number; code?: string; lock?: LockInfo }
  | { type: 'apply'; event: ApplyEvent }
  | { type: 'breaker'; pool: string; transition: 'opened' | 'closed'; message: string }
  | LifecycleEvent;

/** Writes one event as a record of `log`. */
export function logEvent(log: Logger, e: ControlPlaneEvent): void {
  switch (e.type) {
    case 'reconcile-start':
      log.debug({ reason: e.reason }, 'reconcile started');
      return;
    case 'reconcile-done': {
      const s = e.summary;
      if (s.error !== undefined) log.error({ err: s.error, code: e.code, durationMs: e.durationMs }, 'reconcile failed');
      else if (s.skipped !== undefined) log.info({ reason: s.skipped, lock: e.lock }, 'reconcile skipped');
      else {
        const fields = { result: s.result, actions: s.actions, durationMs: e.durationMs, desiredCommit: s.desiredCommit, statusCommit: s.statusCommit };
        if (s.actions > 0 || s.statusCommit !== undefined) log.info(fields, 'reconcile done');
        else log.debug(fields, 'reconcile done');
      }
      for (const w of s.warnings) log.warn(w);
      return;
    }
    case 'apply': {
      const ev = e.event;
      const a = ev.action;
      const what = { action: a.kind, node: a.node, pool: a.pool };
      if (ev.type === 'start') log.info({ ...what, ...(a.existing && a.existing.name !== a.node ? { replaces: a.existing.name } : {}), reason: a.reason.message }, 'action started');
      else if (ev.type === 'step') log.debug({ ...what, step: ev.message }, 'action step');
      else if (ev.type === 'retry') log.warn({ ...what, attempt: ev.attempt, waitMs: ev.waitMs, err: ev.error }, 'action retrying');
      else if (ev.type === 'failover') log.warn({ ...what, from: ev.from, to: ev.to, err: ev.error }, 'placement failed over');
      else if (ev.type === 'done') {
        const i = ev.instance;
        log.info({ ...what, durationMs: ev.durationMs, ...(i ? { instance: i.id, provider: i.provider, zone: i.zone ?? i.region } : {}) }, ev.started ? 'action started its lifecycle' : 'action done');
      } else if (ev.type === 'failed') log.error({ ...what, durationMs: ev.durationMs, err: ev.error }, 'action failed');
      else log.warn({ ...what, reason: ev.reason }, 'action skipped');
      return;
    }
    case 'breaker':
      if (e.transition === 'opened') log.error({ pool: e.pool, alert: 'circuit-breaker-open' }, e.message);
      else log.warn({ pool: e.pool }, 'circuit breaker closed: automatic replacement resumes');
      return;
    case 'cordoned':
      if (e.notifierError) log.warn({ node: e.node, reason: e.reason, err: e.notifierError }, 'cordoned and draining; the notifier failed');
      else log.info({ node: e.node, reason: e.reason }, 'cordoned and draining');
      return;
    case 'drain-timeout':
      log.warn({ node: e.node, waitedMs: e.waitedMs }, 'drain timed out; terminating anyway');
      return;
    case 'waiting-ready':
      log.info({ node: e.node, replaces: e.replaces }, 'waiting for the new node to register and report healthy');
      return;
    case 'lifecycle': {
      const fields = { lifecycle: e.id, pool: e.pool, state: e.state, ...(e.state === 'waiting' ? {} : { detail: e.message }) };
      if (e.state === 'failed') log.error(fields, 'lifecycle failed');
      else log.info(fields, e.state === 'done' ? 'lifecycle done' : 'lifecycle step');
      return;
    }
  }
}
