/**
 * Google Compute Engine as a navarch Provider: `instances.insert` waited on through its zone
 * operation, `instances.aggregatedList` filtered by label, `instances.delete`.
 */
import { randomUUID } from 'node:crypto';
import { zonesOf } from '../../catalog/index.js';
import { matchesTags, ProviderError, TAG, type Clock, type Instance, type ListFilter, type ProvisionRequest } from '../../model/index.js';
import type { Logger } from '../../log/index.js';
import type { Provider } from '../types.js';
import { callOptions, type ComputeClients } from './client.js';
import { classifyError, operationError, type ErrorContext } from './errors.js';
import { toInstance, type GceInstance } from './instance.js';
import { instanceName, labelFilter, parseInstanceId, regionOfZone } from './names.js';
import { abortable, failed, waitForOperation, type Operation } from './operation.js';
import { instanceResource } from './request.js';
import type { GcpSettings } from './settings.js';

/** Most instances per aggregatedList page (the API's own maximum). */
const MAX_RESULTS = 500;
/** How the API says a name is taken, synchronously (HTTP reason) or in an operation. */
const ALREADY_EXISTS = new Set(['alreadyExists', 'RESOURCE_ALREADY_EXISTS']);
/** navarch's own labels, which `setLabels` never drops. */
const OWN_LABEL = /^navarch-/;

/** A Google Compute Engine Provider. Build it with `createGcpProvider`. */
export class GcpProvider implements Provider {
  readonly type = 'gcp' as const;
  readonly name: string;
  readonly settings: GcpSettings;
  private readonly clients: ComputeClients;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(name: string, settings: GcpSettings, clients: ComputeClients, clock: Clock, logger: Logger) {
    this.name = name;
    this.settings = settings;
    this.clients = clients;
    this.clock = clock;
    this.logger = logger;
  }

  async provision(req: ProvisionRequest, signal?: AbortSignal): Promise<Instance> {
    signal?.throwIfAborted();
    const zone = this.zoneFor(req);
    const fleet = req.tags[TAG.fleet];
    const name = instanceName(fleet ?? '', req.nodeName);
    const ctx = this.context(`creating instance ${name} (${req.instanceType}${req.spot ? ', spot' : ''}) in ${zone}`, zone);
    await this.ready(ctx);

    // Compute Engine only refuses a duplicate name within one zone; a node created earlier in
    // another zone (before a failover, or by a run that was killed) is found by its labels.
    const existing = await this.list({ tags: { ...(fleet !== undefined ? { [TAG.fleet]: fleet } : {}), [TAG.node]: req.nodeName } }, signal);
    const live = existing.find((i) => i.state !== 'stopping');
    if (live) {
      this.logger.debug({ instance: live.id, node: req.nodeName }, 'gcp instance for node already exists');
      return live;
    }

    const error = await this.operate(zone, ctx, signal, () =>
      this.clients.instances.insert(
        // A fresh request id per call: the name already makes a repeated create harmless, and a
        // reused id would make Compute Engine answer a re-create after a delete with the old operation.
        { project: this.settings.project, zone, requestId: randomUUID(), instanceResource: instanceResource(this.settings, req, zone, name) },
        callOptions(),
      ),
    );
    if (error) {
      if (error.providerCode && ALREADY_EXISTS.has(error.providerCode)) return this.adopt(zone, name, req, ctx, signal);
      throw error;
    }
    const created = await this.getInstance(zone, name, ctx, signal);
    if (!created) {
      // Possible when a Spot VM is reclaimed the moment it starts: nothing of it is left.
      throw new ProviderError('transient', this.name, `${ctx.action}: the instance was gone as soon as it was created`, {
        providerCode: 'INSTANCE_VANISHED',
        location: zone,
      });
    }
    return toInstance(this.name, created);
  }

  async terminate(instanceId: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const ref = parseInstanceId(instanceId);
    if (!ref) {
      throw new ProviderError('invalid', this.name, `"${instanceId}" is not a GCP instance id of navarch (<zone>/<name>/<numeric id>)`, {
        providerCode: 'INVALID_INSTANCE_ID',
      });
    }
    const ctx = this.context(`deleting instance ${ref.name} in ${ref.zone}`, ref.zone);
    await this.ready(ctx);
    const current = await this.getInstance(ref.zone, ref.name, ctx, signal);
    // Gone, or the name now belongs to a later instance: the one meant no longer exists.
    if (!current || String(current.id ?? '') !== ref.gceId) return;
    // Waiting frees the name for a re-create and keeps a deleting instance out of the next list.
    const error = await this.operate(ref.zone, ctx, signal, () =>
      this.clients.instances.delete({ project: this.settings.project, zone: ref.zone, instance: ref.name, requestId: randomUUID() }, callOptions()),
    );
    if (error && error.errorClass !== 'not-found') throw error;
  }

  async list(filter: ListFilter, signal?: AbortSignal): Promise<Instance[]> {
    signal?.throwIfAborted();
    const ctx = this.context('listing instances', undefined);
    await this.ready(ctx);
    const expression = labelFilter(filter.tags);
    // No partial success: a list missing an unreachable zone's instances would have them created again.
    const pages = this.clients.instances.aggregatedListAsync(
      { project: this.settings.project, maxResults: MAX_RESULTS, ...(expression ? { filter: expression } : {}) },
      callOptions(),
    );
    const byId = new Map<string, Instance>();
    try {
      for await (const [, scoped] of pages) {
        signal?.throwIfAborted();
        for (const gce of scoped.instances ?? []) {
          const inst = toInstance(this.name, gce as GceInstance);
          // The API's filter is trusted to narrow the pages, and checked again here exactly.
          if (matchesTags(inst.tags, filter.tags)) byId.set(inst.id, inst);
        }
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      const error = classifyError(err, ctx);
      // Listing a project that does not exist (or is not visible) is a setting to fix, not a gone instance.
      if (error.errorClass === 'not-found') {
        throw new ProviderError('invalid', this.name, `${error.message} (is project "${this.settings.project}" right?)`, {
          providerCode: error.providerCode ?? 'notFound',
        });
      }
      throw error;
    }
    return [...byId.values()];
  }

  async setLabels(instanceId: string, labels: Record<string, string>, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const ref = parseInstanceId(instanceId);
    await this.ready(this.context('setting labels', ref?.zone));
    const current = ref ? await this.getInstance(ref.zone, ref.name, this.context(`reading instance ${ref.name}`, ref.zone), signal) : undefined;
    if (!ref || !current || String(current.id ?? '') !== ref.gceId) {
      throw new ProviderError('not-found', this.name, `instance ${instanceId} does not exist`, { providerCode: 'RESOURCE_NOT_FOUND' });
    }
    const ctx = this.context(`setting labels of instance ${ref.name}`, ref.zone);
    const own = Object.entries(current.labels ?? {}).filter(([k]) => OWN_LABEL.test(k));
    const user = Object.entries(labels).filter(([k]) => !OWN_LABEL.test(k));
    const error = await this.operate(ref.zone, ctx, signal, () =>
      this.clients.instances.setLabels(
        {
          project: this.settings.project,
          zone: ref.zone,
          instance: ref.name,
          requestId: randomUUID(),
          // The fingerprint makes a concurrent change fail (412) instead of being overwritten.
          instancesSetLabelsRequestResource: { labels: Object.fromEntries([...own, ...user]), labelFingerprint: current.labelFingerprint ?? null },
        },
        callOptions(),
      ),
    );
    if (error) throw error;
  }

  /**
   * Starts a zone operation and waits for it to finish. A failure comes back classified whether
   * Compute Engine sent it at once or inside the finished operation; an abort is thrown as is.
   */
  private async operate(
    zone: string,
    ctx: ErrorContext,
    signal: AbortSignal | undefined,
    start: () => Promise<readonly [{ latestResponse: unknown }, ...unknown[]]>,
  ): Promise<ProviderError | undefined> {
    let op: Operation;
    try {
      const [lro] = await abortable(start(), signal);
      op = lro.latestResponse as Operation;
    } catch (err) {
      if (signal?.aborted) throw err;
      return classifyError(err, ctx);
    }
    this.logger.debug({ zone, operation: op.name }, `${ctx.action}: operation accepted`);
    const done = await waitForOperation(op, this.waitOptions(zone, ctx, signal));
    return failed(done) ? operationError(done, ctx) : undefined;
  }

  /**
   * Sets the clients up before their first call. A failure there is about credentials unless the
   * network or Google's side failed (those stay retryable).
   */
  private async ready(ctx: ErrorContext): Promise<void> {
    try {
      await this.clients.ready();
    } catch (err) {
      const error = classifyError(err, ctx);
      if (error.errorClass === 'throttled' || (error.errorClass === 'transient' && error.providerCode !== undefined) || error.errorClass === 'auth') throw error;
      throw new ProviderError('auth', this.name, `${ctx.action}: no usable Google credentials: ${error.message.slice(ctx.action.length + 2)}`, {
        providerCode: 'CREDENTIALS',
        ...(ctx.location ? { location: ctx.location } : {}),
      });
    }
  }

  /** The zone to create in: the request's, else the first the catalog lists for the type and region. */
  private zoneFor(req: ProvisionRequest): string {
    const invalid = (message: string, providerCode: string): ProviderError =>
      new ProviderError('invalid', this.name, message, { providerCode, location: req.zone ?? req.region });
    if (req.zone !== undefined) {
      if (regionOfZone(req.zone) !== req.region) throw invalid(`zone ${req.zone} is not in region ${req.region}`, 'INVALID_ZONE');
      return req.zone;
    }
    const zone = zonesOf('gcp', req.instanceType, req.region)[0];
    if (!zone) {
      throw invalid(`navarch knows no zone of ${req.region} offering ${req.instanceType}; list the pool's zones explicitly`, 'NO_ZONE');
    }
    return zone;
  }

  /** The instance called `name` in `zone`, or undefined when there is none. */
  private async getInstance(zone: string, name: string, ctx: ErrorContext, signal: AbortSignal | undefined): Promise<(GceInstance & { labelFingerprint?: string | null }) | undefined> {
    try {
      const [inst] = await abortable(this.clients.instances.get({ project: this.settings.project, zone, instance: name }, callOptions()), signal);
      return inst as GceInstance & { labelFingerprint?: string | null };
    } catch (err) {
      if (signal?.aborted) throw err;
      const error = classifyError(err, ctx);
      if (error.errorClass === 'not-found') return undefined;
      throw error;
    }
  }

  /** A create found the name taken: it is this node's instance (a retried create) or a conflict. */
  private async adopt(zone: string, name: string, req: ProvisionRequest, ctx: ErrorContext, signal: AbortSignal | undefined): Promise<Instance> {
    const found = await this.getInstance(zone, name, ctx, signal);
    const labels = found?.labels ?? {};
    if (found && labels[TAG.node] === req.nodeName && labels[TAG.fleet] === req.tags[TAG.fleet]) {
      const inst = toInstance(this.name, found);
      if (inst.state !== 'stopping') return inst;
      // The node's previous instance is still being deleted and holds the name: worth a retry shortly.
      throw new ProviderError('transient', this.name, `${ctx.action}: the name ${name} is still held by instance ${inst.id}, which is being deleted`, {
        providerCode: 'RESOURCE_BEING_DELETED',
        location: zone,
      });
    }
    throw new ProviderError('invalid', this.name, `${ctx.action}: the name ${name} is taken in ${zone} by an instance that is not this node's`, {
      providerCode: 'alreadyExists',
      location: zone,
    });
  }

  private context(action: string, location: string | undefined): ErrorContext {
    return { provider: this.name, action, location };
  }

  private waitOptions(zone: string, ctx: ErrorContext, signal: AbortSignal | undefined): Parameters<typeof waitForOperation>[1] {
    return { clients: this.clients, project: this.settings.project, zone, clock: this.clock, ctx, signal };
  }
}
