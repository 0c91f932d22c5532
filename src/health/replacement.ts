/**
 * Taking a node away as a lifecycle: a replacement (or, for a destroy, a removal) is a record the
 * control plane advances pass by pass and on events, never a wait inside a pass. Pure: the
 * record, the facts observed now, the settings and the clock value in; the record's next state,
 * the effects to carry out and when time alone will change something, out.
 *
 *   started → waiting → terminating → done            create before destroy: cordon, then the drain
 *                                                      and the replacement's boot in parallel
 *   started → waiting → terminating → creating → done  at max_nodes: the old node goes first
 *   waiting → failed                                   the replacement is unhealthy or not ready in
 *                                                      time: the old node is kept, the new one goes
 *
 * Each effect is idempotent (a cordon is recorded once, a create finds an instance of the same
 * name, a terminate of a gone instance succeeds), and each is owed until its outcome is recorded,
 * so a control plane killed at any step carries out what was missing and nothing twice.
 */
import { formatDuration, type Action, type HealthState } from '../model/index.js';
import type { NodeVerdict } from './judge.js';
import type { Evaluation } from './state.js';

/** The store's kind for these lifecycles. */
export const REPLACEMENT_KIND = 'replacement';

export type ReplacementState = 'started' | 'waiting' | 'terminating' | 'creating' | 'done' | 'failed';

/** An instance as the record keeps it. */
export interface ReplacementInstance {
  id: string;
  provider: string;
  region: string;
  zone: string | undefined;
  /** When it was created, or first found (ms). */
  createdAt: number;
}

export interface Replacement {
  /** The plan action's id (`replace:train-3`, `destroy:train-2`): deterministic, so a start replayed after a crash finds this record. */
  id: string;
  pool: string;
  state: ReplacementState;
  /** When it entered `state` (ms). */
  since: number;
  startedAt: number;
  /** The action that started it: the old node (`existing`), the new node's name and placements, the order, why. */
  action: Action;
  /** Health-driven: counts against the disruption budget, and a failure backs the pool off. */
  health: boolean;
  cordonedAt?: number;
  /** When the drain was done, or given up on (`drainTimedOut`). */
  drainedAt?: number;
  drainTimedOut?: boolean;
  /** The replacement's instance, once created or found. */
  instance?: ReplacementInstance;
  readyAt?: number;
  /** When the old node was terminated, or found gone. */
  terminatedAt?: number;
  failure?: string;
  /** Decided on failure: the old node goes back into service (it is not broken). */
  release?: boolean;
  /** Clean-up after a failure: the replacement's instance terminated, the old node back in service, the pool backed off. */
  cleanedAt?: number;
  releasedAt?: number;
  backedOffAt?: number;
  /** Clean-up after a success: the pool's backoff cleared. */
  settledAt?: number;
  /** What it waits for, in words (status file, API, log). */
  waitingFor?: string;
}

/** What is observed now about the nodes a replacement concerns. */
export interface ReplacementFacts {
  /** The old node's instance is still listed (not terminated). */
  oldListed: boolean;
  /** The old node's health now, before the breaker: a failed replacement gives back only a node that is not unhealthy. */
  oldHealth: HealthState | undefined;
  /** The workload system says the old node is drained; undefined when it could not tell. */
  drained: boolean | undefined;
  /** The replacement's instance as listed, found by its node name. */
  newListed: Omit<ReplacementInstance, 'createdAt'> & { launchedAt: number | undefined } | undefined;
  /** The replacement's agent, once it registered: its verdict and its latest evaluation. */
  newAgent:
    | {
        registeredAt: number;
        verdict: Pick<NodeVerdict, 'health' | 'cause' | 'reason'>;
        lastReport: { health: Evaluation; reason?: string | undefined } | undefined;
      }
    | undefined;
  /** Why no node may be taken away now (an open circuit breaker's message), when that is so. */
  halted: string | undefined;
}

export interface ReplacementSettings {
  /** How long the replacement has to become ready once created. */
  readyTimeoutMs: number;
  /** A registered replacement with no health report yet counts as ready this long after registering. */
  readyGraceMs: number;
  /** How long a drain is waited for before the node goes anyway. */
  drainTimeoutMs: number;
}

export type ReplacementEffect =
  /** Cordon and drain the old node (recorded, its agent told, the workload system told). */
  | { type: 'cordon'; node: string; pool: string; reason: string }
  /** Create the replacement (idempotent on its node name). */
  | { type: 'create' }
  | { type: 'terminate'; target: 'old' | 'new'; instanceId: string; provider: string }
  /** Put the old node back in service (a failed replacement of a node that is not broken). */
  | { type: 'uncordon'; node: string; pool: string }
  | { type: 'backoff'; message: string }
  | { type: 'clear-backoff' };

/** What carrying out an effect came to. */
export type EffectOutcome =
  | { type: 'cordoned' }
  | { type: 'created'; instance: Omit<ReplacementInstance, 'createdAt'> }
  | { type: 'create-failed'; error: string }
  | { type: 'terminated'; target: 'old' | 'new' }
  | { type: 'uncordoned' }
  | { type: 'backed-off' }
  | { type: 'backoff-cleared' };

export interface ReplacementStep {
  next: Replacement;
  /** Effects owed now, in order. */
  effects: ReplacementEffect[];
  /** When time alone changes something (a drain or ready timeout, the ready grace), if it does. */
  wakeAt: number | undefined;
}

/** A plan's replace or destroy action as a new lifecycle. */
export function startReplacement(action: Action, now: number): Replacement {
  return { id: action.id, pool: action.pool, state: 'started', since: now, startedAt: now, action, health: action.reason.code === 'unhealthy' };
}

/** Done or failed, with nothing owed: it no longer owns its nodes. */
export function replacementFinished(r: Replacement): boolean {
  return (r.state === 'done' || r.state === 'failed') && owedAfter(r).length === 0;
}

/** The node taken away. */
export const oldNode = (r: Replacement): string => r.action.existing?.name ?? r.action.node;
/** The node replacing it (a removal has none). */
export const newNode = (r: Replacement): string | undefined => (r.action.kind === 'replace' ? r.action.node : undefined);

const firstReady = (r: Replacement): boolean => r.action.kind === 'replace' && r.action.order !== 'destroy-before-create';

export function advanceReplacement(r: Replacement, f: ReplacementFacts, s: ReplacementSettings, now: number): ReplacementStep {
  let next: Replacement = { ...r };
  const moveTo = (state: ReplacementState): void => {
    if (next.state !== state) next = { ...next, state, since: now };
  };
  if (next.state === 'done' || next.state === 'failed') return { next, effects: owedAfter(next), wakeAt: undefined };
  const fail = (failure: string): ReplacementStep => {
    const out = failed(next, failure, now, f.oldListed && f.oldHealth !== 'unhealthy');
    return { next: out, effects: owedAfter(out), wakeAt: undefined };
  };

  const effects: ReplacementEffect[] = [];
  const wakes: number[] = [];
  const old = oldNode(r);
  const created = next.instance;
  const adopt = (): boolean => {
    if (!f.newListed) return false;
    const { launchedAt, ...where } = f.newListed;
    next.instance = { ...where, createdAt: launchedAt ?? now };
    return true;
  };

  if (!f.oldListed && next.terminatedAt === undefined) next.terminatedAt = now;
  if (next.state === 'started') moveTo('waiting');

  if (next.state === 'waiting') {
    delete next.waitingFor;
    const waits: string[] = [];
    if (next.terminatedAt === undefined && next.cordonedAt === undefined) {
      effects.push({ type: 'cordon', node: old, pool: r.pool, reason: r.action.reason.message });
    }
    if (next.terminatedAt === undefined && next.cordonedAt !== undefined && next.drainedAt === undefined) {
      if (f.drained === true) next.drainedAt = now;
      else if (now - next.cordonedAt >= s.drainTimeoutMs) next = { ...next, drainedAt: now, drainTimedOut: true };
      else {
        wakes.push(next.cordonedAt + s.drainTimeoutMs);
        waits.push(`the drain of ${old} (${formatDuration(now - next.cordonedAt)} of ${formatDuration(s.drainTimeoutMs)})`);
      }
    }
    if (next.cordonedAt === undefined && next.terminatedAt === undefined) waits.push(`${old} to be cordoned`);
    if (firstReady(r) && next.readyAt === undefined) {
      if (!created && !adopt()) effects.push({ type: 'create' });
      const since = next.instance?.createdAt ?? now;
      const ready = readiness(f, s, now);
      if (ready.failed) return fail(`replacement ${r.action.node} is unhealthy: ${ready.failed}; ${old} is kept`);
      if (ready.ready) next.readyAt = now;
      else if (now - since >= s.readyTimeoutMs) {
        return fail(`replacement ${r.action.node} was not ready within ${formatDuration(s.readyTimeoutMs)} (${ready.waiting}); ${old} is kept`);
      } else {
        wakes.push(since + s.readyTimeoutMs);
        if (ready.graceEndsAt !== undefined) wakes.push(ready.graceEndsAt);
        waits.push(`${r.action.node}: ${ready.waiting}`);
      }
    }
    const oldDone = next.terminatedAt !== undefined || next.drainedAt !== undefined;
    const newDone = !firstReady(r) || next.readyAt !== undefined;
    if (oldDone && newDone && effects.length === 0) {
      if (next.terminatedAt === undefined && f.halted !== undefined) waits.push(`the circuit breaker to close before removing ${old} (${f.halted})`);
      else moveTo('terminating');
    }
    if (next.state === 'waiting') {
      if (waits.length > 0) next.waitingFor = waits.join('; ');
      return { next, effects, wakeAt: wakes.length > 0 ? Math.min(...wakes) : undefined };
    }
  }

  if (next.state === 'terminating') {
    delete next.waitingFor;
    if (next.terminatedAt === undefined) {
      const ref = r.action.existing;
      if (ref) return { next, effects: [{ type: 'terminate', target: 'old', instanceId: ref.instanceId, provider: ref.provider }], wakeAt: undefined };
      next.terminatedAt = now;
    }
    if (r.action.kind === 'replace' && !firstReady(r)) moveTo('creating');
    else return succeed(next, now);
  }

  // creating: the old node is gone (destroy before create); the replacement is created and that is it.
  if (next.instance || adopt()) return succeed(next, now);
  return { next, effects: [{ type: 'create' }], wakeAt: undefined };
}

/** Records what carrying out an effect came to. */
export function recordOutcome(r: Replacement, o: EffectOutcome, now: number): Replacement {
  switch (o.type) {
    case 'cordoned':
      return { ...r, cordonedAt: r.cordonedAt ?? now };
    case 'created':
      return r.instance ? r : { ...r, instance: { ...o.instance, createdAt: now } };
    case 'create-failed':
      if (r.state === 'done' || r.state === 'failed') return r;
      // Every placement refused it: the replacement never became capacity. When the old node went first it is gone.
      if (r.state === 'creating') return failed(r, `replacement ${r.action.node} could not be created: ${o.error}`, now, false);
      return failed(r, `replacement ${r.action.node} could not be created: ${o.error}; ${oldNode(r)} is kept`, now, !r.health && r.terminatedAt === undefined);
    case 'terminated':
      return o.target === 'old' ? { ...r, terminatedAt: r.terminatedAt ?? now } : { ...r, cleanedAt: r.cleanedAt ?? now };
    case 'uncordoned':
      return { ...r, releasedAt: r.releasedAt ?? now };
    case 'backed-off':
      return { ...r, backedOffAt: r.backedOffAt ?? now };
    case 'backoff-cleared':
      return { ...r, settledAt: r.settledAt ?? now };
  }
}

interface Readiness {
  ready: boolean;
  failed?: string;
  waiting?: string;
  /** When a registered node with no report yet counts as ready. */
  graceEndsAt?: number;
}

/** Ready: registered, its boot checks passed, and its first health report was not unhealthy (or none came within the grace). */
function readiness(f: ReplacementFacts, s: ReplacementSettings, now: number): Readiness {
  const a = f.newAgent;
  if (!a) return { ready: false, waiting: 'its agent has not registered' };
  if (a.verdict.health === 'unhealthy') return { ready: false, failed: a.verdict.reason ?? 'unhealthy' };
  if (a.verdict.cause === 'silence') return { ready: false, waiting: a.verdict.reason ?? 'it went silent' };
  const last = a.lastReport;
  if (last && last.health !== 'unhealthy') return { ready: true };
  if (last) return { ready: false, waiting: `its last health report was unhealthy: ${last.reason ?? ''}` };
  const graceEndsAt = a.registeredAt + s.readyGraceMs;
  if (now >= graceEndsAt) return { ready: true };
  return { ready: false, waiting: 'registered; waiting for its first health report', graceEndsAt };
}

/** `release`: the old node is still there and not broken, so it goes back into service. */
function failed(r: Replacement, failure: string, now: number, release: boolean): Replacement {
  const { waitingFor: _w, ...rest } = r;
  return { ...rest, state: 'failed', since: now, failure, release: release && r.cordonedAt !== undefined };
}

function succeed(r: Replacement, now: number): ReplacementStep {
  const { waitingFor: _w, ...rest } = r;
  const next: Replacement = { ...rest, state: 'done', since: now };
  return { next, effects: owedAfter(next), wakeAt: undefined };
}

/**
 * What a finished lifecycle still owes. After a failure: the replacement's instance goes (it never
 * became capacity), the old node is put back in service unless it is broken (a node replaced for
 * its health stays cordoned: giving it work back would hand jobs to bad hardware), and the pool
 * backs off. After a success: the pool's backoff is cleared.
 */
function owedAfter(r: Replacement): ReplacementEffect[] {
  const out: ReplacementEffect[] = [];
  if (r.state === 'done') {
    if (r.health && r.settledAt === undefined) out.push({ type: 'clear-backoff' });
    return out;
  }
  if (r.state !== 'failed') return out;
  if (r.instance && r.cleanedAt === undefined) out.push({ type: 'terminate', target: 'new', instanceId: r.instance.id, provider: r.instance.provider });
  if (r.release && r.releasedAt === undefined) out.push({ type: 'uncordon', node: oldNode(r), pool: r.pool });
  if (r.health && r.backedOffAt === undefined) out.push({ type: 'backoff', message: r.failure ?? 'the replacement failed' });
  return out;
}

/** The message a finished lifecycle leaves in the status file's events. */
export function replacementOutcome(r: Replacement): { result: 'ok' | 'failed'; message: string } | undefined {
  const old = oldNode(r);
  const why = r.health ? `; ${old} was unhealthy: ${r.action.reason.message}` : '';
  if (r.state === 'failed') return { result: 'failed', message: r.failure ?? 'the replacement failed' };
  if (r.state !== 'done') return undefined;
  if (r.action.kind !== 'replace') return { result: 'ok', message: `destroyed ${old} (${r.action.existing?.instanceId ?? '?'})${why}` };
  const i = r.instance;
  const at = i ? ` (${i.id} on ${i.provider} ${i.zone ?? i.region})` : '';
  const drain = r.drainTimedOut ? '; its drain was not confirmed in time' : '';
  return { result: 'ok', message: `replaced ${old} with ${r.action.node}${at}${why}${drain}` };
}
