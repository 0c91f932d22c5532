/**
 * GCP metadata server. Every request carries `Metadata-Flavor: Google` and every answer does too
 * (that is how the service is recognised). `instance/preempted` reads `TRUE` once the instance is
 * being preempted (about 30 s ahead); `?wait_for_change=true&last_etag=…` holds the request open
 * until the value changes, so a notice is seen the moment it is given.
 */
import type { Clock } from '../../src/model/index.js';
import type { Logger } from '../../src/log/index.js';
import { backoffMs } from '../../src/model/index.js';
import { request } from '../net/http.js';
import type { CloudIdentity, PreemptionWatcher } from './types.js';

export const GCP_METADATA = 'http://metadata.google.internal';

export interface GcpValue {
  value: string;
  etag?: string;
}

export class GcpMetadata {
  constructor(private readonly opts: { base?: string; timeoutMs: number }) {}

  private get base(): string {
    return (this.opts.base ?? GCP_METADATA).replace(/\/+$/, '');
  }

  /** The value at `path` under /computeMetadata/v1/; undefined when it does not exist. */
  async get(path: string, wait?: { lastEtag?: string; timeoutSec: number; signal?: AbortSignal }): Promise<GcpValue | undefined> {
    const url = new URL(`${this.base}/computeMetadata/v1/${path.replace(/^\/+/, '')}`);
    let timeoutMs = this.opts.timeoutMs;
    if (wait) {
      url.searchParams.set('wait_for_change', 'true');
      url.searchParams.set('timeout_sec', String(wait.timeoutSec));
      if (wait.lastEtag) url.searchParams.set('last_etag', wait.lastEtag);
      timeoutMs += wait.timeoutSec * 1000;
    }
    const res = await request(url, { headers: { 'metadata-flavor': 'Google' }, timeoutMs, ...(wait?.signal ? { signal: wait.signal } : {}) });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`GCP metadata ${path} answered HTTP ${res.status}`);
    if (res.headers['metadata-flavor'] !== 'Google') throw new Error(`GCP metadata ${path}: the answer lacks Metadata-Flavor: Google`);
    const etag = res.headers['etag'];
    return typeof etag === 'string' ? { value: res.body, etag } : { value: res.body };
  }

  /** Whether a GCP metadata server answers at the base address. */
  async probe(): Promise<boolean> {
    try {
      return (await this.get('instance/id')) !== undefined;
    } catch {
      return false;
    }
  }
}

/** The last path segment: GCP answers `projects/123/zones/us-central1-a` for a zone. */
const last = (s: string): string => s.trim().split('/').pop() ?? '';

export async function gcpIdentity(md: GcpMetadata): Promise<CloudIdentity> {
  const [name, machineType, zone] = await Promise.all(
    ['instance/name', 'instance/machine-type', 'instance/zone'].map((p) => md.get(p).catch(() => undefined)),
  );
  const id: CloudIdentity = { provider: 'gcp' };
  // Instances are addressed by name in the GCP API, so the name is the instance id navarch uses.
  if (name?.value) id.instanceId = name.value.trim();
  if (machineType?.value) id.instanceType = last(machineType.value);
  if (zone?.value) {
    id.zone = last(zone.value);
    id.region = id.zone.replace(/-[a-z]$/, '');
  }
  return id;
}

export class GcpPreemptionWatcher implements PreemptionWatcher {
  readonly cloud = 'gcp' as const;
  private reported = false;

  constructor(
    private readonly md: GcpMetadata,
    private readonly opts: { waitSec: number; clock: Clock; log: Logger },
  ) {}

  async run(onNotice: Parameters<PreemptionWatcher['run']>[0], signal: AbortSignal): Promise<void> {
    let etag: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const v = await this.md.get('instance/preempted', etag === undefined ? undefined : { lastEtag: etag, timeoutSec: this.opts.waitSec, signal });
        if (failures > 0) this.opts.log.info('GCP metadata answers again');
        failures = 0;
        if (v?.etag) etag = v.etag;
        if (v && v.value.trim().toUpperCase() === 'TRUE' && !this.reported) {
          this.reported = true;
          onNotice({ kind: 'preemption', time: new Date(this.opts.clock.now()).toISOString(), cloud: 'gcp', action: 'preempted' });
        }
        // Without an ETag there is nothing to wait on: poll instead.
        if (!v?.etag) await this.opts.clock.sleep(5000, signal).catch(() => undefined);
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        if (failures === 1) this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot read the preemption notice from GCP metadata');
        etag = undefined; // start again with a plain read
        await this.opts.clock.sleep(backoffMs(failures, { baseMs: 1000, maxMs: 30_000 }), signal).catch(() => undefined);
      }
    }
  }
}
