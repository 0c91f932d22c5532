/**
 * The embedded fake cloud: a Provider whose "cloud" is a JSON file beside the config repository.
 * It behaves like a real one where navarch's correctness depends on it: launches take time, a
 * process killed mid-launch leaves a pending instance behind, capacity runs out, calls fail,
 * lists are paginated, and several processes see the same instances.
 */
import { instanceTypes, lookupInstanceType, priceOf, regionsOf, zonesOf } from '../../catalog/index.js';
import {
  ProviderError,
  TAG,
  type Clock,
  type Instance,
  type ListFilter,
  type Offer,
  type ProvisionRequest,
} from '../../model/index.js';
import type { Logger } from '../../log/index.js';
import type { Provider } from '../types.js';
import { takeFailure } from './failures.js';
import { capacityLimit, type FakeSettings } from './settings.js';
import {
  allocateId,
  compareIds,
  hasTags,
  liveInstances,
  prune,
  settle,
  toInstance,
  type FakeState,
  type StoredInstance,
} from './state.js';
import { FakeStateStore } from './store.js';

/** One page of a simulated paginated list call. */
interface ListPage {
  items: Instance[];
  nextToken: string | undefined;
}

/** Resolves after `ms` on `clock`, or rejects as soon as `signal` aborts (whatever the clock does). */
function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  if (!signal) return clock.sleep(ms);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    clock.sleep(ms, signal).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function encodeToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

function decodeToken(token: string): string {
  const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  const after = (parsed as { after?: unknown }).after;
  if (typeof after !== 'string') throw new Error('bad page token');
  return after;
}

/** A fake-cloud Provider. Build it with `createFakeProvider`. */
export class FakeProvider implements Provider {
  readonly type = 'fake' as const;
  readonly name: string;
  readonly settings: FakeSettings;
  private readonly store: FakeStateStore;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(name: string, settings: FakeSettings, clock: Clock, logger: Logger) {
    this.name = name;
    this.settings = settings;
    this.clock = clock;
    this.logger = logger;
    this.store = new FakeStateStore(settings.stateFile, logger);
  }

  async provision(req: ProvisionRequest, signal?: AbortSignal): Promise<Instance> {
    signal?.throwIfAborted();
    const zone = this.validate(req);
    const tags = { ...req.tags, [TAG.node]: req.nodeName };
    const outcome = await this.store.transact((state) => {
      const now = this.clock.now();
      settle(state, now);
      const existing = liveInstances(state, this.name).find(
        (i) => i.tags[TAG.node] === req.nodeName && i.tags[TAG.fleet] === req.tags[TAG.fleet],
      );
      if (existing) return { instance: toInstance(existing, now), created: false };
      const failure = takeFailure(state, this.name, this.settings.failures, {
        op: 'provision',
        region: req.region,
        instanceType: req.instanceType,
      });
      if (failure) return { error: failure };
      const full = this.capacityError(state, req.instanceType, req.region);
      if (full) return { error: full };
      const { id, privateIp } = allocateId(state);
      const stored: StoredInstance = {
        id,
        provider: this.name,
        region: req.region,
        ...(zone !== undefined ? { zone } : {}),
        instanceType: req.instanceType,
        spot: req.spot,
        tags,
        state: 'pending',
        createdAt: new Date(now).toISOString(),
        readyAt: new Date(now + this.settings.latencyMs).toISOString(),
        privateIp,
        ...(req.userData !== undefined ? { userData: req.userData } : {}),
      };
      state.instances.push(stored);
      return { instance: toInstance(stored, now), created: true };
    });
    if ('error' in outcome) throw outcome.error;
    if (!outcome.created) return outcome.instance;
    this.logger.debug({ instance: outcome.instance.id, node: req.nodeName }, 'fake cloud launched an instance');
    if (this.settings.latencyMs > 0) await sleepUnlessAborted(this.clock, this.settings.latencyMs, signal);
    // Read it back: another process may have terminated it meanwhile, and its state moves with time.
    const state = await this.store.read();
    const now = this.clock.now();
    const stored = state.instances.find((i) => i.id === outcome.instance.id);
    return stored ? toInstance(stored, now) : outcome.instance;
  }

  async terminate(instanceId: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const failure = await this.store.transact((state) => {
      const now = this.clock.now();
      settle(state, now);
      const inst = state.instances.find((i) => i.id === instanceId && i.provider === this.name);
      const error = takeFailure(state, this.name, this.settings.failures, {
        op: 'terminate',
        region: inst?.region,
        instanceType: inst?.instanceType,
      });
      if (error) return error;
      if (!inst || inst.state === 'terminated') return undefined;
      inst.state = 'terminated';
      inst.terminatedAt = new Date(now).toISOString();
      prune(state);
      return undefined;
    });
    if (failure) throw failure;
  }

  async list(filter: ListFilter, signal?: AbortSignal): Promise<Instance[]> {
    const out: Instance[] = [];
    let token: string | undefined;
    do {
      signal?.throwIfAborted();
      const page = await this.listPage(filter, token);
      out.push(...page.items);
      token = page.nextToken;
    } while (token !== undefined);
    return out;
  }

  /**
   * One page of instances carrying every filter tag, ordered by id. The token is the last id
   * returned (keyset pagination), so instances launched or terminated between pages neither
   * repeat nor shift the remaining pages.
   */
  private async listPage(filter: ListFilter, token: string | undefined): Promise<ListPage> {
    let after: string | undefined;
    if (token !== undefined) {
      try {
        after = decodeToken(token);
      } catch (err) {
        throw new ProviderError('invalid', this.name, 'invalid page token', { cause: err, providerCode: 'InvalidPaginationToken' });
      }
    }
    const page = await this.store.transact((state): ListPage | { error: ProviderError } => {
      const now = this.clock.now();
      settle(state, now);
      const error = takeFailure(state, this.name, this.settings.failures, { op: 'list' });
      if (error) return { error };
      const matching = liveInstances(state, this.name)
        .filter((i) => hasTags(i, filter.tags) && (after === undefined || compareIds(i.id, after) > 0))
        .sort((a, b) => compareIds(a.id, b.id));
      const items = matching.slice(0, this.settings.pageSize);
      const last = items[items.length - 1];
      const more = matching.length > items.length && last !== undefined;
      return { items: items.map((i) => toInstance(i, now)), nextToken: more ? encodeToken(last.id) : undefined };
    });
    if ('error' in page) throw page.error;
    return page;
  }

  async setLabels(instanceId: string, labels: Record<string, string>, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const found = await this.store.transact((state) => {
      const inst = state.instances.find((i) => i.id === instanceId && i.provider === this.name);
      if (!inst || inst.state === 'terminated') return false;
      const own = Object.entries(inst.tags).filter(([k]) => k.startsWith('navarch-'));
      // navarch's own tags cannot be replaced through labels: they are how it finds its instances.
      const user = Object.entries(labels).filter(([k]) => !k.startsWith('navarch-'));
      inst.tags = Object.fromEntries([...own, ...user]);
      return true;
    });
    if (!found) {
      throw new ProviderError('not-found', this.name, `instance ${instanceId} does not exist`, {
        providerCode: 'InvalidInstanceID.NotFound',
      });
    }
  }

  async offers(signal?: AbortSignal): Promise<Offer[]> {
    signal?.throwIfAborted();
    const state = await this.store.read();
    const out: Offer[] = [];
    for (const info of instanceTypes('fake')) {
      for (const { region } of info.regions) {
        out.push({
          provider: this.name,
          instanceType: info.instanceType,
          region,
          available: this.capacityError(state, info.instanceType, region) === undefined,
          pricePerHour: priceOf('fake', info.instanceType, region, false),
        });
      }
    }
    return out;
  }

  /** Rejects types, regions and zones the fake catalog does not have; returns the zone to use. */
  private validate(req: ProvisionRequest): string | undefined {
    const invalid = (message: string, providerCode: string): ProviderError =>
      new ProviderError('invalid', this.name, message, { providerCode, location: req.zone ?? req.region });
    if (!lookupInstanceType('fake', req.instanceType)) {
      throw invalid(`instance type ${req.instanceType} does not exist in the fake cloud`, 'InvalidInstanceType');
    }
    if (!regionsOf('fake', req.instanceType).includes(req.region)) {
      throw invalid(`instance type ${req.instanceType} is not offered in region ${req.region}`, 'InvalidRegion');
    }
    const zones = zonesOf('fake', req.instanceType, req.region);
    if (req.zone !== undefined && !zones.includes(req.zone)) {
      throw invalid(`zone ${req.zone} is not in region ${req.region} (zones: ${zones.join(', ')})`, 'InvalidZone');
    }
    return req.zone ?? zones[0];
  }

  /** The capacity error a launch of this type in this region would get now, if any. */
  private capacityError(state: FakeState, instanceType: string, region: string): ProviderError | undefined {
    const limit = capacityLimit(this.settings.capacity, instanceType, region);
    if (limit === undefined) return undefined;
    const live = liveInstances(state, this.name).filter((i) => i.instanceType === instanceType && i.region === region).length;
    if (live < limit) return undefined;
    return new ProviderError(
      'capacity',
      this.name,
      `insufficient capacity for ${instanceType} in ${region} (${live} of ${limit} in use)`,
      { providerCode: 'InsufficientCapacity', location: region },
    );
  }
}
