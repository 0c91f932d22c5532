/**
 * Lambda Cloud as a Provider. Lambda has no idempotency token, so provisioning is made idempotent
 * by looking first: an instance already carrying the node's identity is returned instead of a new
 * launch, and concurrent calls for one node in this process share a single launch. Launch capacity
 * is checked on `GET /instance-types` before a launch is spent on a region that has none (launches
 * are rate-limited far more tightly than reads).
 */
import { lookupInstanceType } from '../../catalog/index.js';
import {
  matchesTags,
  ProviderError,
  TAG,
  type Instance,
  type InstanceState,
  type ListFilter,
  type Offer,
  type ProvisionRequest,
} from '../../model/index.js';
import type { Logger } from '../../log/index.js';
import type { Provider } from '../types.js';
import type { LambdaClient } from './client.js';
import { instanceName, instanceTags, toWireTags } from './names.js';
import { buildOffers } from './offers.js';
import type { LambdaSettings } from './settings.js';
import {
  readInstances,
  readInstanceTypes,
  readLaunchedIds,
  type WireInstance,
  type WireInstanceTypeEntry,
  type WireLaunchRequest,
} from './wire.js';

/** The API refuses user data above 1 MB. */
export const MAX_USER_DATA_BYTES = 1024 * 1024;

/** Lambda's statuses in navarch's terms. `unhealthy` is a machine Lambda itself reports as broken. */
const STATES: Record<string, InstanceState> = {
  booting: 'pending',
  active: 'running',
  unhealthy: 'failed',
  terminating: 'stopping',
  terminated: 'terminated',
};

/** A Lambda Cloud provider. Build it with `createLambdaProvider`. */
export class LambdaProvider implements Provider {
  readonly type = 'lambda' as const;
  /** Launches in flight in this process, by fleet and node: a second call joins the first. */
  private readonly inflight = new Map<string, Promise<Instance>>();

  constructor(
    readonly name: string,
    readonly settings: LambdaSettings,
    private readonly client: LambdaClient,
    private readonly logger: Logger,
  ) {}

  provision(req: ProvisionRequest, signal?: AbortSignal): Promise<Instance> {
    const key = `${req.tags[TAG.fleet] ?? ''}/${req.nodeName}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.provisionOnce(req, signal).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  async terminate(instanceId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.call('POST', '/instance-operations/terminate', { body: { instance_ids: [instanceId] }, signal });
    } catch (err) {
      // The API answers 404 for an id it does not know, or no longer knows: already gone.
      if (err instanceof ProviderError && err.errorClass === 'not-found') return;
      throw err;
    }
  }

  async list(filter: ListFilter, signal?: AbortSignal): Promise<Instance[]> {
    // GET /instances is not paginated: one call returns every instance of the account.
    const data = await this.client.call('GET', '/instances', { signal });
    return readInstances(data)
      .map((w) => this.toInstance(w))
      .filter((i) => i.state !== 'terminated' && matchesTags(i.tags, filter.tags))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async offers(signal?: AbortSignal): Promise<Offer[]> {
    const types = readInstanceTypes(await this.client.call('GET', '/instance-types', { signal }));
    return buildOffers(this.name, types, this.settings.regions);
  }

  private async provisionOnce(req: ProvisionRequest, signal: AbortSignal | undefined): Promise<Instance> {
    signal?.throwIfAborted();
    this.validate(req);
    const fleet = req.tags[TAG.fleet];
    const tags = { ...req.tags, [TAG.node]: req.nodeName };
    const identity = fleet === undefined ? { [TAG.node]: req.nodeName } : { [TAG.fleet]: fleet, [TAG.node]: req.nodeName };
    const existing = (await this.list({ tags: identity }, signal)).find((i) => i.state !== 'stopping');
    if (existing) return existing;

    await this.checkCapacity(req, signal);
    const body: WireLaunchRequest = {
      region_name: req.region,
      instance_type_name: req.instanceType,
      ssh_key_names: this.settings.sshKeyNames,
      file_system_names: this.settings.fileSystemNames,
      quantity: 1,
      name: instanceName(fleet ?? '', req.nodeName),
      tags: toWireTags(tags),
      ...(req.userData !== undefined ? { user_data: req.userData } : {}),
    };
    const data = await this.client.call('POST', '/instance-operations/launch', {
      body,
      launch: true,
      region: req.region,
      // A launch naming an SSH key or file system the account lacks is a configuration error.
      reclass: { 'not-found': 'invalid' },
      signal,
    });
    const id = readLaunchedIds(data)[0];
    if (id === undefined) {
      // Retrying is safe: the next attempt looks for the node before launching again.
      throw new ProviderError('transient', this.name, 'lambda launch returned no instance id', { location: req.region });
    }
    this.logger.debug({ instance: id, node: req.nodeName, region: req.region }, 'lambda launched an instance');
    return {
      id,
      provider: this.name,
      region: req.region,
      zone: undefined,
      instanceType: req.instanceType,
      spot: false,
      state: 'pending',
      tags,
      launchedAt: undefined,
      privateIp: undefined,
      publicIp: undefined,
    };
  }

  /** Fails before any call for requests Lambda cannot take, with the reason in navarch's words. */
  private validate(req: ProvisionRequest): void {
    const invalid = (message: string, providerCode: string): ProviderError =>
      new ProviderError('invalid', this.name, message, { providerCode, location: req.region });
    if (req.spot) throw invalid('Lambda Cloud sells no spot instances; use spot: false for this pool', 'SpotUnsupported');
    if (req.zone !== undefined) throw invalid(`Lambda Cloud regions have no zones to choose (got ${req.zone})`, 'ZonesUnsupported');
    if (this.settings.regions.length > 0 && !this.settings.regions.includes(req.region)) {
      throw invalid(`region ${req.region} is not in this provider's regions (${this.settings.regions.join(', ')})`, 'RegionNotAllowed');
    }
    if (this.settings.sshKeyNames.length === 0) {
      throw invalid('Lambda launches need an SSH key: set ssh_key_names (a key name from the Lambda account) in the provider settings', 'MissingSshKey');
    }
    if (req.userData !== undefined && Buffer.byteLength(req.userData, 'utf8') > MAX_USER_DATA_BYTES) {
      throw invalid(`user data is ${Buffer.byteLength(req.userData, 'utf8')} bytes; Lambda accepts at most 1 MB`, 'UserDataTooLarge');
    }
  }

  /**
   * Capacity as `GET /instance-types` reports it: a type the API does not list is invalid (unless
   * the catalog knows it, when the listing may simply be partial); a region without capacity is
   * a capacity error without spending a launch.
   */
  private async checkCapacity(req: ProvisionRequest, signal: AbortSignal | undefined): Promise<void> {
    const types = readInstanceTypes(await this.client.call('GET', '/instance-types', { signal }));
    const entry: WireInstanceTypeEntry | undefined = types.get(req.instanceType);
    if (!entry) {
      if (lookupInstanceType('lambda', req.instanceType)) return;
      const known = [...types.keys()].sort().join(', ');
      throw new ProviderError('invalid', this.name, `Lambda Cloud has no instance type ${req.instanceType} (offered: ${known || 'none'})`, {
        providerCode: 'UnknownInstanceType',
        location: req.region,
      });
    }
    const live = entry.regions_with_capacity_available.map((r) => r.name);
    if (live.includes(req.region)) return;
    throw new ProviderError(
      'capacity',
      this.name,
      `lambda has no capacity for ${req.instanceType} in ${req.region} now (regions with capacity: ${live.sort().join(', ') || 'none'})`,
      { providerCode: 'instance-operations/launch/insufficient-capacity', location: req.region },
    );
  }

  private toInstance(w: WireInstance): Instance {
    return {
      id: w.id,
      provider: this.name,
      region: w.region?.name ?? '',
      zone: undefined,
      instanceType: w.instance_type?.name ?? '',
      spot: false,
      state: STATES[w.status] ?? 'pending',
      tags: instanceTags(w),
      launchedAt: undefined,
      privateIp: w.private_ip ?? undefined,
      publicIp: w.ip ?? undefined,
    };
  }
}
