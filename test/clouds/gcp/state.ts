/**
 * The loopback API's instances and zone operations. Inserts and deletes are long-running: the
 * call returns a RUNNING operation, and the work lands when the operation is waited on (after
 * `waitsBeforeDone` extra waits), as Compute Engine reports progress through operations.
 */
import { randomBytes } from 'node:crypto';
import { matches, parseFilter } from './filter.js';
import { validateInsert } from './validate.js';
import {
  LINK_BASE,
  instanceJson,
  operationJson,
  type Fault,
  type HttpFault,
  type OperationFault,
  type StoredInstance,
  type StoredOperation,
} from './wire.js';

export type FaultMethod = 'aggregatedList' | 'insert' | 'get' | 'delete' | 'setLabels' | 'wait' | 'getOperation';
type Result = { json: unknown } | { fault: HttpFault };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function bad(message: string, reason = 'invalid'): { fault: HttpFault } {
  return { fault: { kind: 'http', status: 400, reason, message } };
}

/** Instances, operations and what they do when waited on. */
export class ComputeState {
  readonly instances = new Map<string, StoredInstance>();
  readonly operations = new Map<string, StoredOperation>();
  /** Extra waits an operation answers RUNNING to before it completes. */
  waitsBeforeDone = 0;
  /** Status a created instance has when its insert completes. */
  statusAfterInsert = 'RUNNING';
  /** Runs as an insert arrives, before the name is checked (to stage a concurrent create). */
  onInsert: ((zone: string, name: string) => void) | undefined;
  private readonly pendingWaits = new Map<string, number>();
  private readonly byRequestId = new Map<string, string>();
  private nextId = 4_829_157_103_554_000_000n;
  private nextIp = 2;

  constructor(
    readonly project: string,
    readonly zones: string[],
    readonly pageSize: number,
  ) {}

  /** Adds an instance as if someone created it outside navarch. */
  seed(spec: { labels: Record<string, string>; zone?: string; machineType?: string; status?: string; name?: string; spot?: boolean }): StoredInstance {
    const zone = spec.zone ?? this.zones[0] ?? 'us-central1-a';
    const name = spec.name ?? `seeded-${randomBytes(4).toString('hex')}`;
    const body = {
      name,
      machineType: `zones/${zone}/machineTypes/${spec.machineType ?? 'g2-standard-4'}`,
      disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12' } }],
      networkInterfaces: [{ network: 'global/networks/default' }],
      scheduling: spec.spot
        ? { provisioningModel: 'SPOT', instanceTerminationAction: 'DELETE', onHostMaintenance: 'TERMINATE', automaticRestart: false }
        : { provisioningModel: 'STANDARD', onHostMaintenance: 'TERMINATE', automaticRestart: true },
    };
    return this.create(zone, name, body, spec.labels, spec.status ?? 'RUNNING');
  }

  /** Serves one API method. `fault`, when given, is an operation fault to finish the operation with. */
  call(method: FaultMethod, args: string[], query: URLSearchParams, body: unknown, user: string, fault: Fault | undefined): Result {
    const opFault = fault?.kind === 'operation' ? fault : undefined;
    const [zone = '', name = ''] = args;
    if (method !== 'aggregatedList' && !this.zones.includes(zone)) return bad(`Invalid value for field 'zone': '${zone}'. Unknown zone.`);
    switch (method) {
      case 'aggregatedList':
        return this.aggregatedList(query);
      case 'insert':
        return this.insert(zone, query, body, user, opFault);
      case 'get': {
        const inst = this.instances.get(`${zone}/${name}`);
        return inst ? { json: instanceJson(this.project, inst) } : notFound(`projects/${this.project}/zones/${zone}/instances/${name}`);
      }
      case 'delete':
        return this.remove(zone, name, query, user, opFault);
      case 'setLabels':
        return this.setLabels(zone, name, body, user, opFault);
      case 'wait':
      case 'getOperation': {
        const op = this.operations.get(name);
        if (!op || op.zone !== zone) return notFound(`projects/${this.project}/zones/${zone}/operations/${name}`);
        if (method === 'wait') this.advance(op);
        return { json: operationJson(this.project, op) };
      }
    }
  }

  private create(zone: string, name: string, body: Record<string, unknown>, labels: Record<string, string>, status: string): StoredInstance {
    const n = this.nextIp++;
    const nics = body['networkInterfaces'];
    const nic = Array.isArray(nics) ? (nics[0] as Record<string, unknown> | undefined) : undefined;
    const inst: StoredInstance = {
      id: String(this.nextId++),
      name,
      zone,
      status,
      created: Date.now(),
      body,
      labels: { ...labels },
      labelFingerprint: randomBytes(8).toString('base64'),
      networkIP: `10.128.${(n >> 8) & 255}.${n & 255}`,
      natIP: Array.isArray(nic?.['accessConfigs']) ? `34.72.${(n >> 8) & 255}.${n & 255}` : undefined,
    };
    this.instances.set(`${zone}/${name}`, inst);
    return inst;
  }

  private operation(zone: string, type: StoredOperation['operationType'], inst: StoredInstance, user: string, fault: OperationFault | undefined): StoredOperation {
    const id = String(this.nextId++);
    const op: StoredOperation = {
      id,
      name: `operation-${Date.now()}-${randomBytes(6).toString('hex')}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`,
      zone,
      operationType: type,
      targetName: inst.name,
      targetId: inst.id,
      status: 'RUNNING',
      user,
      insertTime: Date.now(),
      ...(fault ? { fault } : {}),
    };
    this.operations.set(op.name, op);
    this.pendingWaits.set(op.name, this.waitsBeforeDone);
    return op;
  }

  private idempotent(query: URLSearchParams): Result | { fault: HttpFault } | string | undefined {
    const requestId = query.get('requestId');
    if (requestId === null) return undefined;
    if (!UUID.test(requestId) || /^0{8}-/.test(requestId)) return bad(`Invalid value for field 'requestId': '${requestId}'. Must be a valid UUID.`);
    const known = this.byRequestId.get(requestId);
    const op = known ? this.operations.get(known) : undefined;
    return op ? { json: operationJson(this.project, op) } : requestId;
  }

  private insert(zone: string, query: URLSearchParams, body: unknown, user: string, fault: OperationFault | undefined): Result {
    const seen = this.idempotent(query);
    if (typeof seen === 'object') return seen;
    if (typeof body !== 'object' || body === null) return bad('Required field \'resource\' not specified', 'required');
    const resource = body as Record<string, unknown>;
    const invalid = validateInsert(resource, zone);
    if (invalid) return { fault: invalid };
    const name = resource['name'] as string;
    this.onInsert?.(zone, name);
    if (this.instances.has(`${zone}/${name}`)) {
      return { fault: { kind: 'http', status: 409, reason: 'alreadyExists', message: `The resource 'projects/${this.project}/zones/${zone}/instances/${name}' already exists` } };
    }
    const inst = this.create(zone, name, resource, (resource['labels'] as Record<string, string> | undefined) ?? {}, 'PROVISIONING');
    const op = this.operation(zone, 'insert', inst, user, fault);
    if (seen) this.byRequestId.set(seen, op.name);
    return { json: operationJson(this.project, op) };
  }

  private remove(zone: string, name: string, query: URLSearchParams, user: string, fault: OperationFault | undefined): Result {
    const seen = this.idempotent(query);
    if (typeof seen === 'object') return seen;
    const inst = this.instances.get(`${zone}/${name}`);
    if (!inst) return notFound(`projects/${this.project}/zones/${zone}/instances/${name}`);
    inst.status = 'STOPPING';
    const op = this.operation(zone, 'delete', inst, user, fault);
    if (seen) this.byRequestId.set(seen, op.name);
    return { json: operationJson(this.project, op) };
  }

  private setLabels(zone: string, name: string, body: unknown, user: string, fault: OperationFault | undefined): Result {
    const inst = this.instances.get(`${zone}/${name}`);
    if (!inst) return notFound(`projects/${this.project}/zones/${zone}/instances/${name}`);
    const req = (body ?? {}) as { labels?: Record<string, string>; labelFingerprint?: string };
    if (req.labelFingerprint !== inst.labelFingerprint) {
      return { fault: { kind: 'http', status: 412, reason: 'conditionNotMet', message: "Labels fingerprint either invalid or resource labels have changed" } };
    }
    const op = this.operation(zone, 'setLabels', inst, user, fault);
    if (!fault) {
      inst.labels = { ...(req.labels ?? {}) };
      inst.labelFingerprint = randomBytes(8).toString('base64');
    }
    return { json: operationJson(this.project, op) };
  }

  /** One wait on an operation: either still running, or the work lands and it is DONE. */
  private advance(op: StoredOperation): void {
    if (op.status === 'DONE') return;
    const left = this.pendingWaits.get(op.name) ?? 0;
    if (left > 0) {
      this.pendingWaits.set(op.name, left - 1);
      return;
    }
    const key = `${op.zone}/${op.targetName}`;
    const inst = this.instances.get(key);
    if (op.operationType === 'insert' && inst) {
      // A failed create leaves nothing behind (a stock-out or quota failure removes the VM).
      if (op.fault) this.instances.delete(key);
      else inst.status = this.statusAfterInsert;
    } else if (op.operationType === 'delete' && inst) {
      if (op.fault) inst.status = 'RUNNING';
      else this.instances.delete(key);
    }
    op.status = 'DONE';
    op.endTime = Date.now();
  }

  private aggregatedList(query: URLSearchParams): Result {
    const terms = parseFilter(query.get('filter') ?? '');
    if (!terms) return bad(`Invalid value for field 'filter': '${query.get('filter') ?? ''}'. Invalid list filter expression.`);
    const maxResults = Number(query.get('maxResults') ?? 500);
    if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 500) {
      return bad(`Invalid value for field 'maxResults': '${query.get('maxResults') ?? ''}'. Must be less than or equal to 500`);
    }
    const size = Math.min(maxResults || 500, this.pageSize);
    const token = query.get('pageToken');
    let after = '';
    if (token) {
      try {
        const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: string; filter: string };
        if (parsed.filter !== (query.get('filter') ?? '')) return bad("Invalid value for field 'pageToken'. The filter changed between pages.");
        after = parsed.after;
      } catch {
        return bad(`Invalid value for field 'pageToken': '${token}'.`);
      }
    }
    const matching = [...this.instances.entries()]
      .filter(([key, inst]) => key > after && matches(terms, inst.labels, { name: inst.name, status: inst.status }))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = matching.slice(0, size);
    const items: Record<string, unknown> = {};
    for (const zone of [...this.zones].sort()) {
      const here = page.filter(([, i]) => i.zone === zone).map(([, i]) => instanceJson(this.project, i));
      items[`zones/${zone}`] =
        here.length > 0
          ? { instances: here }
          : { warning: { code: 'NO_RESULTS_ON_PAGE', message: `There are no results for scope 'zones/${zone}' on this page.`, data: [{ key: 'scope', value: `zones/${zone}` }] } };
    }
    const last = page[page.length - 1];
    const more = matching.length > page.length && last !== undefined;
    return {
      json: {
        kind: 'compute#instanceAggregatedList',
        id: `projects/${this.project}/aggregated/instances`,
        items,
        ...(more ? { nextPageToken: Buffer.from(JSON.stringify({ after: last[0], filter: query.get('filter') ?? '' })).toString('base64url') } : {}),
        selfLink: `${LINK_BASE}/projects/${this.project}/aggregated/instances`,
      },
    };
  }
}

function notFound(resource: string): { fault: HttpFault } {
  return { fault: { kind: 'http', status: 404, reason: 'notFound', message: `The resource '${resource}' was not found` } };
}
