/**
 * The state and rules of the loopback Lambda cloud: instances, capacity, SSH keys and file
 * systems, launch validation as the API reference describes it, and failures injected by tests.
 * `server.ts` puts it behind HTTP. Time comes from the clock the test gives it.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../src/model/index.js';
import { SERVER_REGIONS, SERVER_TYPES, type ServerInstanceType } from './catalog.js';

/** A reply: HTTP status, JSON body (or raw text), extra headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type ErrorKind = 'capacity' | 'quota' | 'throttled' | 'auth' | 'invalid' | 'transient';
export type Endpoint = 'launch' | 'terminate' | 'list' | 'instance-types';

export interface StoredInstance {
  id: string;
  name: string;
  region: string;
  type: ServerInstanceType;
  sshKeys: string[];
  fileSystems: string[];
  tags: Array<{ key: string; value: string }>;
  userData: string | undefined;
  launchedAt: number;
  terminatedAt: number | undefined;
  /** `unhealthy` when a test says so; otherwise derived from time. */
  forced?: 'unhealthy';
}

export interface CloudOptions {
  clock: Clock;
  /** type → region → most live instances; a type or region not listed is unlimited. */
  capacity?: Record<string, Record<string, number>>;
  sshKeys?: string[];
  /** File system name → region. */
  fileSystems?: Record<string, string>;
  /** false: launch ignores `tags` and instances carry none, as older API versions did. */
  supportsTags?: boolean;
  /** How long a launched instance boots before it is active. */
  bootMs?: number;
  /** How long a terminated instance still lists as `terminating`. */
  terminatingMs?: number;
  /** Retry-After (seconds) sent with injected 429s; omitted when undefined. */
  retryAfterSeconds?: number | undefined;
}

export const MAX_USER_DATA = 1024 * 1024;

export function apiError(status: number, code: string, message: string, suggestion?: string): Reply {
  return { status, body: { error: { code, message, ...(suggestion ? { suggestion } : {}) } } };
}

/** The error each injectable kind is reported with, as the API reference documents it. */
function injected(kind: ErrorKind, retryAfterSeconds: number | undefined): Reply {
  switch (kind) {
    case 'capacity':
      return apiError(400, 'instance-operations/launch/insufficient-capacity', 'Not enough capacity to fulfill launch request.', 'Try a different region or instance type.');
    case 'quota':
      return apiError(400, 'global/quota-exceeded', 'Quota exceeded.', 'Contact Support to increase your quota.');
    case 'auth':
      return apiError(401, 'global/invalid-api-key', 'API key was invalid, expired, or deleted.', 'Check your API key or create a new one, then try again.');
    case 'invalid':
      return apiError(400, 'global/invalid-parameters', 'Invalid request data.');
    case 'transient':
      return apiError(503, 'provider/internal-unavailable', 'Provider unavailable', 'Try again shortly');
    case 'throttled':
      // The 429 body is not documented; clients must not depend on it.
      return { status: 429, body: 'Too Many Requests', headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) } };
  }
}

export class LambdaCloud {
  readonly instances: StoredInstance[] = [];
  private readonly failures: Array<{ endpoint: Endpoint; kind: ErrorKind; left: number }> = [];
  capacity: Record<string, Record<string, number>>;

  constructor(readonly opts: CloudOptions) {
    this.capacity = opts.capacity ?? {};
  }

  /** Makes the next `count` calls of `endpoint` fail with `kind`. */
  inject(endpoint: Endpoint, kind: ErrorKind, count = 1): void {
    this.failures.push({ endpoint, kind, left: count });
  }

  /** The injected failure for this call, if one is due. */
  takeFailure(endpoint: Endpoint): Reply | undefined {
    const f = this.failures.find((x) => x.endpoint === endpoint && x.left > 0);
    if (!f) return undefined;
    f.left -= 1;
    return injected(f.kind, this.opts.retryAfterSeconds);
  }

  /** Adds an instance directly, as if launched outside navarch. */
  seed(spec: { name?: string; tags?: Record<string, string>; type?: string; region?: string }): StoredInstance {
    const type = SERVER_TYPES.find((t) => t.name === (spec.type ?? 'gpu_1x_a10')) ?? (SERVER_TYPES[0] as ServerInstanceType);
    const inst: StoredInstance = {
      id: randomBytes(16).toString('hex'),
      name: spec.name ?? `seeded-${this.instances.length + 1}`,
      region: spec.region ?? 'us-east-1',
      type,
      sshKeys: ['someone-else'],
      fileSystems: [],
      tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
      userData: undefined,
      launchedAt: this.opts.clock.now(),
      terminatedAt: undefined,
    };
    this.instances.push(inst);
    return inst;
  }

  status(i: StoredInstance): string {
    const now = this.opts.clock.now();
    if (i.terminatedAt !== undefined) return now < i.terminatedAt + (this.opts.terminatingMs ?? 0) ? 'terminating' : 'terminated';
    if (i.forced) return i.forced;
    return now < i.launchedAt + (this.opts.bootMs ?? 0) ? 'booting' : 'active';
  }

  /** Instances the API still shows (terminated ones drop out of `GET /instances`). */
  visible(): StoredInstance[] {
    return this.instances.filter((i) => this.status(i) !== 'terminated');
  }

  private live(type: string, region: string): number {
    return this.instances.filter((i) => i.type.name === type && i.region === region && i.terminatedAt === undefined).length;
  }

  hasCapacity(type: string, region: string): boolean {
    const limit = this.capacity[type]?.[region];
    return limit === undefined || this.live(type, region) < limit;
  }

  /** `GET /instance-types` data. */
  instanceTypes(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const t of SERVER_TYPES) {
      out[t.name] = {
        instance_type: t,
        regions_with_capacity_available: Object.entries(SERVER_REGIONS)
          .filter(([r]) => this.hasCapacity(t.name, r))
          .map(([name, description]) => ({ name, description })),
      };
    }
    return out;
  }

  /** An instance as `GET /instances` reports it. */
  toWire(i: StoredInstance): Record<string, unknown> {
    const ip = `198.51.100.${(this.instances.indexOf(i) % 250) + 2}`;
    return {
      id: i.id,
      name: i.name,
      ip,
      private_ip: `10.0.2.${(this.instances.indexOf(i) % 250) + 2}`,
      status: this.status(i),
      ssh_key_names: i.sshKeys,
      file_system_names: i.fileSystems,
      region: { name: i.region, description: SERVER_REGIONS[i.region] ?? i.region },
      instance_type: i.type,
      hostname: `${ip.replaceAll('.', '-')}.cloud.lambdalabs.com`,
      jupyter_token: i.id.slice(0, 16),
      jupyter_url: `https://jupyter-${i.id}.lambdaspaces.com/?token=${i.id.slice(0, 16)}`,
      is_reserved: false,
      actions: { migrate: { available: false }, rebuild: { available: false }, restart: { available: true }, cold_reboot: { available: true }, terminate: { available: true } },
      ...(this.opts.supportsTags === false ? {} : { tags: i.tags }),
    };
  }

  /** `POST /instance-operations/launch`, validated as the API reference describes. */
  launch(body: unknown): Reply {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const bad = (message: string): Reply => apiError(400, 'global/invalid-parameters', message);
    const region = b['region_name'];
    const typeName = b['instance_type_name'];
    const keys = b['ssh_key_names'];
    const fileSystems = b['file_system_names'] ?? [];
    const name = b['name'] ?? '';
    const quantity = b['quantity'] ?? 1;
    const userData = b['user_data'];
    if (typeof region !== 'string' || !(region in SERVER_REGIONS)) return bad(`Invalid region: ${String(region)}`);
    const type = SERVER_TYPES.find((t) => t.name === typeName);
    if (!type) return bad(`Invalid instance type: ${String(typeName)}`);
    if (!Array.isArray(keys) || keys.length !== 1) return bad('Exactly one SSH key must be specified.');
    if (!(this.opts.sshKeys ?? []).includes(keys[0] as string)) {
      return apiError(404, 'global/object-does-not-exist', `Specified SSH key does not exist: ${String(keys[0])}`, 'Check the SSH key name.');
    }
    if (!Array.isArray(fileSystems) || fileSystems.length > 1) return bad('At most one file system can be attached at launch.');
    for (const fs of fileSystems as string[]) {
      const at = this.opts.fileSystems?.[fs];
      if (at === undefined) return apiError(404, 'global/object-does-not-exist', `Specified file system does not exist: ${fs}`, 'Check the file system name.');
      if (at !== region) return apiError(400, 'instance-operations/launch/file-system-in-wrong-region', `File system ${fs} is in ${at}, not ${region}.`);
    }
    if (typeof name !== 'string' || name.length > 64) return bad('Name must be 64 characters or fewer.');
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) return bad('Invalid quantity.');
    if (userData !== undefined && (typeof userData !== 'string' || Buffer.byteLength(userData) > MAX_USER_DATA)) return bad('User data must be plain text of at most 1MB.');
    const tags = Array.isArray(b['tags']) ? (b['tags'] as Array<{ key: string; value: string }>) : [];
    const ids: string[] = [];
    for (let n = 0; n < quantity; n++) {
      if (!this.hasCapacity(type.name, region)) {
        return apiError(400, 'instance-operations/launch/insufficient-capacity', 'Not enough capacity to fulfill launch request.');
      }
      const inst = this.seed({ name, type: type.name, region });
      inst.sshKeys = keys as string[];
      inst.fileSystems = fileSystems as string[];
      inst.tags = this.opts.supportsTags === false ? [] : tags.map((t) => ({ key: t.key, value: t.value }));
      inst.userData = userData as string | undefined;
      ids.push(inst.id);
    }
    return { status: 200, body: { data: { instance_ids: ids } } };
  }

  /** `POST /instance-operations/terminate`: every id must exist and still be running. */
  terminate(body: unknown): Reply {
    const ids = (body as { instance_ids?: unknown } | undefined)?.instance_ids;
    if (!Array.isArray(ids) || ids.length === 0) return apiError(400, 'global/invalid-parameters', 'instance_ids is required.');
    const found = ids.map((id) => this.instances.find((i) => i.id === id && i.terminatedAt === undefined));
    if (found.some((i) => i === undefined)) return apiError(404, 'global/object-does-not-exist', 'Specified instance does not exist.');
    const now = this.opts.clock.now();
    for (const i of found as StoredInstance[]) i.terminatedAt = now;
    return { status: 200, body: { data: { terminated_instances: (found as StoredInstance[]).map((i) => ({ ...this.toWire(i), status: 'terminating' })) } } };
  }
}
