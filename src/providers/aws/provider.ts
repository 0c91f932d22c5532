/**
 * Amazon EC2 behind navarch's Provider contract: RunInstances with a deterministic ClientToken and
 * tags at launch, DescribeInstances by tag filter across the provider's regions, TerminateInstances.
 */
import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Filter,
  type Instance as Ec2Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { ProviderError, TAG, type Instance, type ListFilter, type ProvisionRequest } from '../../model/index.js';
import type { Logger } from '../../log/index.js';
import type { Provider } from '../types.js';
import { callOptions, type Ec2Clients } from './client.js';
import { LIVE_STATE_NAMES, toInstance } from './convert.js';
import { errorCode, isAbort, toProviderError } from './errors.js';
import { clientToken, imageFor, launchTargets, runInstancesInput, type LaunchTarget } from './launch.js';
import { replaceLabels } from './labels.js';
import type { AwsSettings } from './settings.js';

/** DescribeInstances page size (EC2 allows 5 to 1000). */
const PAGE_SIZE = 1000;
/** Launch generations tried per node name before giving up (see `clientToken`). */
const MAX_GENERATIONS = 32;

/** Escapes EC2 filter wildcards (`*`, `?`) so a tag value matches only itself. */
function filterValue(value: string): string {
  return value.replace(/[\\*?]/g, (c) => `\\${c}`);
}

function tagFilters(tags: Record<string, string>): Filter[] {
  return Object.keys(tags)
    .sort()
    .map((k) => ({ Name: `tag:${k}`, Values: [filterValue(tags[k] ?? '')] }));
}

function isLive(inst: Instance): boolean {
  return inst.state !== 'terminated';
}

/** An EC2 Provider. Build it with `createAwsProvider`. */
export class AwsProvider implements Provider {
  readonly type = 'aws' as const;
  /** Which region each instance id seen so far lives in, so terminate goes straight there. */
  private readonly regionOf = new Map<string, string>();
  private readonly regions: Set<string>;

  constructor(
    readonly name: string,
    readonly settings: AwsSettings,
    private readonly clients: Ec2Clients,
    private readonly logger: Logger,
  ) {
    this.regions = new Set(settings.regions);
  }

  /** Releases the clients' sockets. */
  close(): void {
    this.clients.close();
  }

  async provision(req: ProvisionRequest, signal?: AbortSignal): Promise<Instance> {
    signal?.throwIfAborted();
    // Validate first: a bad zone or a missing AMI is an invalid request, whatever exists already.
    const targets = launchTargets(this.settings, this.name, req);
    imageFor(this.settings, this.name, req.region);
    this.regions.add(req.region);
    const fleet = req.tags[TAG.fleet] ?? '';
    const mine = { ...(fleet ? { [TAG.fleet]: fleet } : {}), [TAG.node]: req.nodeName };
    const existing = (await this.listRegion(req.region, mine, signal)).find(isLive);
    if (existing) return existing;

    let lastCapacity: ProviderError | undefined;
    for (const target of targets) {
      try {
        return await this.launch(req, target, fleet, signal);
      } catch (err) {
        // Out of capacity in one configured subnet: the region's other subnets may have room.
        if (!(err instanceof ProviderError) || err.errorClass !== 'capacity' || targets.length === 1) throw err;
        lastCapacity = err;
      }
    }
    throw new ProviderError('capacity', this.name, `no zone of ${req.region} could take ${req.nodeName}: ${lastCapacity?.message ?? ''}`, {
      cause: lastCapacity,
      ...(lastCapacity?.providerCode ? { providerCode: lastCapacity.providerCode } : {}),
      location: req.region,
    });
  }

  /**
   * Launches the node at one target, walking token generations past instances a token already
   * launched and that have since gone (see `clientToken`).
   */
  private async launch(req: ProvisionRequest, target: LaunchTarget, fleet: string, signal: AbortSignal | undefined): Promise<Instance> {
    const client = this.clients.get(req.region);
    const location = target.zone ?? req.region;
    for (let generation = 1; generation <= MAX_GENERATIONS; generation++) {
      const token = clientToken(fleet, req.nodeName, generation);
      const input = runInstancesInput(this.settings, this.name, req, target, token);
      let launched: Ec2Instance | undefined;
      try {
        const out = await client.send(new RunInstancesCommand(input), callOptions(signal));
        launched = out.Instances?.[0];
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        // The token launched an instance before, with other parameters (another zone, type or
        // image): that instance is this node's if it is still alive.
        if (errorCode(err) !== 'IdempotentParameterMismatch') throw toProviderError(err, this.name, 'RunInstances', location);
        const earlier = (await this.listRegion(req.region, {}, signal, [{ Name: 'client-token', Values: [token] }])).find(isLive);
        if (earlier) return earlier;
        continue;
      }
      if (!launched?.InstanceId) {
        throw new ProviderError('transient', this.name, `RunInstances in ${location} returned no instance`, { location });
      }
      // A launch reply may leave tags out; the instance carries the ones requested.
      const inst = toInstance(this.name, req.region, launched, requestedTags(input));
      this.regionOf.set(inst.id, req.region);
      if (!isLive(inst)) continue;
      this.logger.debug({ instance: inst.id, node: req.nodeName, location, generation }, 'launched an EC2 instance');
      return inst;
    }
    throw new ProviderError(
      'invalid',
      this.name,
      `node ${req.nodeName} has been launched ${MAX_GENERATIONS} times in ${req.region} within EC2's token memory; use a new node name`,
      { location },
    );
  }

  async terminate(instanceId: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const known = this.regionOf.get(instanceId);
    // An id navarch has not seen in this process is looked for in every region: ids do not say where they live.
    const regions = known !== undefined ? [known] : [...this.regions];
    for (const region of regions) {
      try {
        await this.clients.get(region).send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }), callOptions(signal));
        this.logger.debug({ instance: instanceId, region }, 'terminated an EC2 instance');
        return;
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        const e = toProviderError(err, this.name, 'TerminateInstances', region);
        if (e.errorClass !== 'not-found') throw e;
      }
    }
    // Not found anywhere: already gone (terminated instances age out of EC2), which is success.
  }

  async list(filter: ListFilter, signal?: AbortSignal): Promise<Instance[]> {
    const regions = [...this.regions].sort();
    const perRegion = await Promise.all(regions.map((r) => this.listRegion(r, filter.tags, signal)));
    return perRegion.flat().filter(isLive);
  }

  async setLabels(instanceId: string, labels: Record<string, string>, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const region = this.regionOf.get(instanceId);
    if (region === undefined) {
      throw new ProviderError('not-found', this.name, `instance ${instanceId} has not been listed by this provider`, {
        providerCode: 'InvalidInstanceID.NotFound',
      });
    }
    await replaceLabels(this.clients.get(region), this.name, region, instanceId, labels, signal);
  }

  /**
   * Every instance of `region` carrying all of `tags` (and matching `extra` filters) that is not
   * shutting down or terminated, following NextToken to the end.
   */
  private async listRegion(
    region: string,
    tags: Record<string, string>,
    signal: AbortSignal | undefined,
    extra: Filter[] = [],
  ): Promise<Instance[]> {
    const client: EC2Client = this.clients.get(region);
    const filters: Filter[] = [...tagFilters(tags), ...extra, { Name: 'instance-state-name', Values: LIVE_STATE_NAMES }];
    const out: Instance[] = [];
    let nextToken: string | undefined;
    do {
      signal?.throwIfAborted();
      let page;
      try {
        page = await client.send(
          new DescribeInstancesCommand({ Filters: filters, MaxResults: PAGE_SIZE, ...(nextToken ? { NextToken: nextToken } : {}) }),
          callOptions(signal),
        );
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        throw toProviderError(err, this.name, 'DescribeInstances', region);
      }
      for (const reservation of page.Reservations ?? []) {
        for (const raw of reservation.Instances ?? []) {
          const inst = toInstance(this.name, region, raw);
          // EC2 filters are eventually consistent and match wildcards; check every tag exactly.
          if (!inst.id || !isLive(inst) || !Object.entries(tags).every(([k, v]) => inst.tags[k] === v)) continue;
          this.regionOf.set(inst.id, region);
          out.push(inst);
        }
      }
      const next = page.NextToken || undefined;
      if (next !== undefined && next === nextToken) {
        throw new ProviderError('transient', this.name, `DescribeInstances in ${region} returned the same page token twice`, { location: region });
      }
      nextToken = next;
    } while (nextToken !== undefined);
    return out;
  }
}

function requestedTags(input: RunInstancesCommandInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of input.TagSpecifications?.[0]?.Tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}
