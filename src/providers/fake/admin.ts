/**
 * Inspection and out-of-band events for the fake cloud: what a person with console access to a real
 * cloud could do behind navarch's back (kill an instance, break one, launch one by hand, make calls
 * fail). Every change goes through the same lock and atomic write as the provider's own calls.
 */
import { instanceTypes, zonesOf } from '../../catalog/index.js';
import { NavarchError, systemClock, type Clock, type Instance } from '../../model/index.js';
import { parseFailureRule, resolveStateFile, DEFAULT_STATE_FILE, type FailureRule } from './settings.js';
import { allocateId, prune, settle, toInstance, type StoredInstance } from './state.js';
import { FakeStateStore, readStateFile } from './store.js';

/** What the state file holds, as a reader sees it at one moment. */
export interface FakeStateSnapshot {
  stateFile: string;
  /** Every instance still on record, terminated ones included (oldest first). */
  instances: Instance[];
  /** Calls failed so far per configured failure rule (key: provider/index/content hash). */
  failureCounts: Record<string, number>;
  /** Failures injected at run time that are still armed. */
  injected: Array<{ provider: string | undefined; rule: FailureRule; fired: number }>;
}

/** An instance created outside navarch, e.g. by hand in the console or by another tool. */
export interface ForeignInstanceSpec {
  /** The provider name (as in navarch.yaml) whose account it appears in. */
  provider: string;
  tags: Record<string, string>;
  /** Defaults to the cheapest fake type. */
  instanceType?: string;
  /** Defaults to `local-1`. */
  region?: string;
  /** Defaults to the region's first zone. */
  zone?: string;
  spot?: boolean;
  /** Defaults to `running`. */
  state?: 'pending' | 'running' | 'failed';
}

/** Out-of-band control of one fake cloud state file. */
export interface FakeCloudAdmin {
  readonly stateFile: string;
  /** Marks an instance terminated, as if the cloud reclaimed it (spot) or someone deleted it by hand. */
  killInstance(id: string): Promise<void>;
  /** Marks an instance failed (hardware fault, failed boot); it stays listed until terminated. */
  setFailed(id: string): Promise<void>;
  /** Creates an instance with arbitrary tags, outside navarch (another fleet's, or an orphan). */
  addForeignInstance(spec: ForeignInstanceSpec): Promise<Instance>;
  /** Arms a failure rule; `provider` limits it to one provider name sharing the file. */
  injectFailure(rule: FailureRule, options?: { provider?: string }): Promise<void>;
  /** Disarms every run-time failure and resets the configured rules' counters. */
  clearFailures(): Promise<void>;
  snapshot(): Promise<FakeStateSnapshot>;
  /** The user data an instance was launched with, as a cloud's console shows it; undefined when none. */
  userData(id: string): Promise<string | undefined>;
}

/** Reads a fake cloud's state file for inspection; `settings` as in navarch.yaml (for `state_file`). */
export async function readFakeState(
  root: string,
  settings: Record<string, unknown> = {},
  clock: Clock = systemClock,
): Promise<FakeStateSnapshot> {
  const stateFile = resolveStateFile(root, settings);
  const state = await readStateFile(stateFile);
  const now = clock.now();
  return {
    stateFile,
    instances: state.instances.map((i) => toInstance(i, now)),
    failureCounts: { ...state.failureCounts },
    injected: state.injected.map((f) => ({ provider: f.provider, rule: { ...f.rule }, fired: f.fired })),
  };
}

/**
 * Out-of-band control of the fake cloud whose state is `stateFile` (relative to `root`; the default
 * state file when omitted). `clock` stamps the instances it creates.
 */
export function fakeCloudAdmin(root: string, stateFile: string = DEFAULT_STATE_FILE, options: { clock?: Clock } = {}): FakeCloudAdmin {
  const file = resolveStateFile(root, { state_file: stateFile });
  const store = new FakeStateStore(file);
  const clock = options.clock ?? systemClock;

  const update = async (id: string, change: (inst: StoredInstance, now: number) => void): Promise<void> => {
    const found = await store.transact((state) => {
      const now = clock.now();
      settle(state, now);
      const inst = state.instances.find((i) => i.id === id);
      if (!inst) return false;
      change(inst, now);
      prune(state);
      return true;
    });
    if (!found) throw new NavarchError('provider.fake-admin', `fake cloud has no instance ${id}`);
  };

  return {
    stateFile: file,
    killInstance: (id) =>
      update(id, (inst, now) => {
        if (inst.state === 'terminated') return;
        inst.state = 'terminated';
        inst.terminatedAt = new Date(now).toISOString();
      }),
    setFailed: (id) =>
      update(id, (inst) => {
        if (inst.state !== 'terminated') inst.state = 'failed';
      }),
    async addForeignInstance(spec) {
      const instanceType = spec.instanceType ?? instanceTypes('fake')[0]?.instanceType ?? 'f1.1xa10';
      const region = spec.region ?? 'local-1';
      const zone = spec.zone ?? zonesOf('fake', instanceType, region)[0];
      return store.transact((state) => {
        const now = clock.now();
        const { id, privateIp } = allocateId(state);
        const at = new Date(now).toISOString();
        const stored: StoredInstance = {
          id,
          provider: spec.provider,
          region,
          ...(zone !== undefined ? { zone } : {}),
          instanceType,
          spot: spec.spot ?? false,
          tags: { ...spec.tags },
          state: spec.state ?? 'running',
          createdAt: at,
          // A pending foreign instance stays pending until changed; others are ready at once.
          readyAt: spec.state === 'pending' ? new Date(8.64e15).toISOString() : at,
          privateIp,
        };
        state.instances.push(stored);
        return toInstance(stored, now);
      });
    },
    async injectFailure(rule, opts = {}) {
      const parsed = parseFailureRule(rule, 'injectFailure');
      await store.transact((state) => {
        const id = state.nextFailureId;
        state.nextFailureId = id + 1;
        state.injected.push({ id, ...(opts.provider !== undefined ? { provider: opts.provider } : {}), rule: parsed, fired: 0 });
      });
    },
    async clearFailures() {
      await store.transact((state) => {
        state.injected = [];
        state.failureCounts = {};
      });
    },
    snapshot: () => readFakeState(root, { state_file: stateFile }, clock),
    async userData(id) {
      const inst = (await readStateFile(file)).instances.find((i) => i.id === id);
      if (!inst) throw new NavarchError('provider.fake-admin', `fake cloud has no instance ${id}`);
      return inst.userData;
    },
  };
}
