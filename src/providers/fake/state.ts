/**
 * The fake cloud's persisted state and the pure rules over it. The file is plain JSON so a person can
 * read it; every process using the same repository shares it (see store.ts for the locking).
 */
import { isRecord, matchesTags, NavarchError, type Instance, type InstanceState } from '../../model/index.js';
import type { FailureRule } from './settings.js';

/** Format version of the state file; bumped when the shape changes incompatibly. */
export const STATE_VERSION = 1;
/** Terminated instances kept for history; older ones are pruned so the file stays small. */
export const TERMINATED_HISTORY = 1000;

/** One instance as stored. Times are ISO-8601 so the file reads well. */
export interface StoredInstance {
  id: string;
  /** Name of the provider (as declared in navarch.yaml) the instance belongs to. */
  provider: string;
  region: string;
  zone?: string;
  instanceType: string;
  spot: boolean;
  tags: Record<string, string>;
  /** State as last written; a `pending` one reads as `running` once `readyAt` has passed. */
  state: InstanceState;
  createdAt: string;
  readyAt: string;
  terminatedAt?: string;
  privateIp: string;
  /** The user data it was launched with, as a cloud keeps it (readable through the admin helper only). */
  userData?: string;
}

/** A failure injected at run time (admin helper, contract harness) rather than in navarch.yaml. */
export interface InjectedFailure {
  id: number;
  /** Only calls of this provider; every provider sharing the file when absent. */
  provider?: string;
  rule: FailureRule;
  /** How many calls it has failed so far. */
  fired: number;
}

/** The whole state file. */
export interface FakeState {
  version: number;
  /** Next instance number; never reused, so ids stay unique across pruning. */
  nextId: number;
  nextFailureId: number;
  instances: StoredInstance[];
  /** How many calls each configured failure rule has failed, by rule key (provider, index, content). */
  failureCounts: Record<string, number>;
  injected: InjectedFailure[];
}

/** A state with nothing in it: what a missing file means. */
export function emptyState(): FakeState {
  return { version: STATE_VERSION, nextId: 1, nextFailureId: 1, instances: [], failureCounts: {}, injected: [] };
}


/**
 * Parses the file's text. Writes are atomic renames, so a torn file means someone edited it by hand:
 * that is reported, never silently replaced, because it holds the only record of what exists.
 */
export function parseState(text: string, file: string): FakeState {
  if (text.trim() === '') return emptyState();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new NavarchError('provider.fake-state', `fake cloud state file ${file} is not valid JSON; fix or delete it`, {
      cause: err,
    });
  }
  if (!isRecord(raw) || !Array.isArray(raw['instances']) || typeof raw['nextId'] !== 'number') {
    throw new NavarchError('provider.fake-state', `fake cloud state file ${file} is not a fake cloud state; fix or delete it`);
  }
  if (raw['version'] !== STATE_VERSION) {
    throw new NavarchError(
      'provider.fake-state',
      `fake cloud state file ${file} has version ${String(raw['version'])}; this navarch reads version ${STATE_VERSION}`,
    );
  }
  return {
    version: STATE_VERSION,
    nextId: raw['nextId'],
    nextFailureId: typeof raw['nextFailureId'] === 'number' ? raw['nextFailureId'] : 1,
    instances: raw['instances'] as StoredInstance[],
    failureCounts: isRecord(raw['failureCounts']) ? (raw['failureCounts'] as Record<string, number>) : {},
    injected: Array.isArray(raw['injected']) ? (raw['injected'] as InjectedFailure[]) : [],
  };
}

/** Serialises the state the same way every time, so an unchanged state is not rewritten. */
export function serializeState(state: FakeState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** The state an instance reads as at `now`: pending turns running once its launch latency has passed. */
export function effectiveState(inst: StoredInstance, now: number): InstanceState {
  return inst.state === 'pending' && Date.parse(inst.readyAt) <= now ? 'running' : inst.state;
}

/** Persists the pending → running transitions that are due, so the file says what a reader would see. */
export function settle(state: FakeState, now: number): void {
  for (const inst of state.instances) inst.state = effectiveState(inst, now);
}

/** Drops the oldest terminated instances beyond the history limit. */
export function prune(state: FakeState, keep = TERMINATED_HISTORY): void {
  const terminated = state.instances.filter((i) => i.state === 'terminated');
  if (terminated.length <= keep) return;
  const byAge = [...terminated].sort((a, b) => (a.terminatedAt ?? '').localeCompare(b.terminatedAt ?? '') || compareIds(a.id, b.id));
  const drop = new Set(byAge.slice(0, terminated.length - keep).map((i) => i.id));
  state.instances = state.instances.filter((i) => !drop.has(i.id));
}

/** Orders ids numerically (`fake-000010` after `fake-000009`, and past six digits too). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Allocates the next instance id and its private address. */
export function allocateId(state: FakeState): { id: string; privateIp: string } {
  const n = state.nextId;
  state.nextId = n + 1;
  return {
    id: `fake-${String(n).padStart(6, '0')}`,
    privateIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
  };
}

/** Whether an instance carries every tag of `filter` with the same value. */
export function hasTags(inst: StoredInstance, filter: Record<string, string>): boolean {
  return matchesTags(inst.tags, filter);
}

/** Live (not terminated) instances of one provider. */
export function liveInstances(state: FakeState, provider: string): StoredInstance[] {
  return state.instances.filter((i) => i.provider === provider && i.state !== 'terminated');
}

/** The view of a stored instance that providers return. */
export function toInstance(inst: StoredInstance, now: number): Instance {
  return {
    id: inst.id,
    provider: inst.provider,
    region: inst.region,
    zone: inst.zone,
    instanceType: inst.instanceType,
    spot: inst.spot,
    state: effectiveState(inst, now),
    tags: { ...inst.tags },
    launchedAt: inst.createdAt,
    privateIp: inst.state === 'terminated' ? undefined : inst.privateIp,
    publicIp: undefined,
  };
}
