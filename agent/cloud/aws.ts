/**
 * AWS instance metadata (IMDSv2). Every read carries a session token from
 * `PUT /latest/api/token` (header `X-aws-ec2-metadata-token-ttl-seconds`), sent back as
 * `X-aws-ec2-metadata-token`; the token is renewed before it expires and again on a 401.
 *
 * Spot: `/latest/meta-data/spot/instance-action` is 404 until AWS schedules an interruption, then
 * `{"action": "terminate|stop|hibernate", "time": "..."}` about two minutes ahead. A rebalance
 * recommendation (`/latest/meta-data/events/recommendations/rebalance`, `{"noticeTime": ...}`)
 * comes earlier and is reported too, as action `rebalance`.
 */
import type { Clock } from '../../src/model/index.js';
import type { Logger } from '../../src/log/index.js';
import { request } from '../net/http.js';
import type { CloudIdentity, PreemptionWatcher } from './types.js';

export const AWS_METADATA = 'http://169.254.169.254';
const TOKEN_TTL_SEC = 21600;

export class Imds {
  private token: { value: string; renewAt: number } | undefined;

  constructor(
    private readonly opts: { base?: string; timeoutMs: number; now: () => number },
  ) {}

  private get base(): string {
    return (this.opts.base ?? AWS_METADATA).replace(/\/+$/, '');
  }

  private async session(force = false): Promise<string> {
    if (!force && this.token && this.opts.now() < this.token.renewAt) return this.token.value;
    const res = await request(`${this.base}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_SEC) },
      timeoutMs: this.opts.timeoutMs,
    });
    if (res.status !== 200 || res.body.trim() === '') throw new Error(`IMDSv2 token request answered HTTP ${res.status}`);
    // Renew at 80% of the lifetime so a read never carries an expired token.
    this.token = { value: res.body.trim(), renewAt: this.opts.now() + TOKEN_TTL_SEC * 800 };
    return this.token.value;
  }

  /** Whether an IMDSv2 service answers at the base address. */
  async probe(): Promise<boolean> {
    try {
      await this.session(true);
      return true;
    } catch {
      return false;
    }
  }

  /** The text at `path` (under /latest/), or undefined when it does not exist (404). */
  async get(path: string): Promise<string | undefined> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.session(attempt > 0);
      const res = await request(`${this.base}/latest/${path.replace(/^\/+/, '')}`, {
        headers: { 'x-aws-ec2-metadata-token': token },
        timeoutMs: this.opts.timeoutMs,
      });
      if (res.status === 200) return res.body;
      if (res.status === 404) return undefined;
      if (res.status === 401 && attempt === 0) continue; // token expired or revoked: renew once
      throw new Error(`IMDS ${path} answered HTTP ${res.status}`);
    }
  }
}

export async function awsIdentity(imds: Imds): Promise<CloudIdentity> {
  const [instanceId, instanceType, zone, region] = await Promise.all(
    ['meta-data/instance-id', 'meta-data/instance-type', 'meta-data/placement/availability-zone', 'meta-data/placement/region'].map((p) =>
      imds.get(p).catch(() => undefined),
    ),
  );
  const id: CloudIdentity = { provider: 'aws' };
  if (instanceId) id.instanceId = instanceId.trim();
  if (instanceType) id.instanceType = instanceType.trim();
  if (zone) id.zone = zone.trim();
  const r = region?.trim() || zone?.trim().replace(/[a-z]$/, '');
  if (r) id.region = r;
  return id;
}

export class AwsSpotWatcher implements PreemptionWatcher {
  readonly cloud = 'aws' as const;
  private readonly seen = new Set<string>();

  constructor(
    private readonly imds: Imds,
    private readonly opts: { pollMs: number; clock: Clock; log: Logger },
  ) {}

  async run(onNotice: Parameters<PreemptionWatcher['run']>[0], signal: AbortSignal): Promise<void> {
    let failing = false;
    while (!signal.aborted) {
      try {
        await this.poll(onNotice);
        if (failing) this.opts.log.info('instance metadata answers again');
        failing = false;
      } catch (err) {
        if (!failing) this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot read spot notices from instance metadata');
        failing = true;
      }
      await this.opts.clock.sleep(this.opts.pollMs, signal).catch(() => undefined);
    }
  }

  /** One look at both notices. */
  async poll(onNotice: Parameters<PreemptionWatcher['run']>[0]): Promise<void> {
    const now = new Date(this.opts.clock.now()).toISOString();
    const action = await this.imds.get('meta-data/spot/instance-action');
    if (action !== undefined) {
      const j = parseJson(action) as { action?: unknown; time?: unknown } | undefined;
      const kind = j?.action === 'stop' || j?.action === 'hibernate' ? j.action : 'terminate';
      const at = typeof j?.time === 'string' ? j.time : undefined;
      const key = `${kind}|${at ?? ''}`;
      if (!this.seen.has(key)) {
        this.seen.add(key);
        onNotice({ kind: 'preemption', time: now, cloud: 'aws', action: kind, ...(at ? { at } : {}) });
      }
    }
    const rebalance = await this.imds.get('meta-data/events/recommendations/rebalance');
    if (rebalance !== undefined) {
      const j = parseJson(rebalance) as { noticeTime?: unknown } | undefined;
      const key = `rebalance|${typeof j?.noticeTime === 'string' ? j.noticeTime : ''}`;
      if (!this.seen.has(key)) {
        this.seen.add(key);
        onNotice({ kind: 'preemption', time: now, cloud: 'aws', action: 'rebalance' });
      }
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
