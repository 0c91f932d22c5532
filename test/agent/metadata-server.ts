/**
 * A fake cloud metadata service on 127.0.0.1, as one cloud at a time:
 *
 * - AWS IMDSv2: `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` (1–21600)
 *   issues a token; every GET must carry a live one in `X-aws-ec2-metadata-token` or gets 401.
 *   `spot/instance-action` and `events/recommendations/rebalance` are 404 until a notice is set.
 * - GCP: every request must carry `Metadata-Flavor: Google` (else 403) and every answer carries it;
 *   `instance/preempted` is `FALSE` until preempted, with an ETag, and `?wait_for_change=true`
 *   holds the request until the value changes (or `timeout_sec`).
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface FakeMetadataOptions {
  cloud: 'aws' | 'gcp';
  instanceId?: string;
  instanceType?: string;
  zone?: string;
  /** Token lifetime cap, to exercise renewal (seconds). */
  maxTokenTtlSec?: number;
}

export class FakeMetadata {
  private server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly tokens = new Map<string, number>();
  private spotAction: { action: string; time: string } | undefined;
  private rebalance: { noticeTime: string } | undefined;
  private preempted = false;
  private etag = randomBytes(8).toString('hex');
  private waiters: Array<() => void> = [];
  /** Requests per path (tests check the token flow). */
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  port = 0;

  private constructor(private readonly opts: FakeMetadataOptions) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(opts: FakeMetadataOptions): Promise<FakeMetadata> {
    const m = new FakeMetadata(opts);
    await new Promise<void>((r) => m.server.listen(0, '127.0.0.1', () => r()));
    const addr = m.server.address();
    if (addr && typeof addr === 'object') m.port = addr.port;
    return m;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** AWS: schedules a spot interruption. */
  setSpotAction(action: 'terminate' | 'stop' | 'hibernate', time: string): void {
    this.spotAction = { action, time };
  }

  /** AWS: issues a rebalance recommendation. */
  setRebalance(noticeTime: string): void {
    this.rebalance = { noticeTime };
  }

  /** GCP: the instance is being preempted; waiting requests answer at once. */
  preempt(): void {
    this.preempted = true;
    this.etag = randomBytes(8).toString('hex');
    for (const w of this.waiters.splice(0)) w();
  }

  /** AWS: revokes every token (the next read must fetch a new one). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  async close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private reply(req: IncomingMessage, res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    this.requests.push({ method: req.method ?? '', path: new URL(req.url ?? '/', 'http://x').pathname, status });
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (this.opts.cloud === 'aws') return this.aws(req, res, url);
    return this.gcp(req, res, url);
  }

  private aws(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (url.pathname === '/latest/api/token') {
      if (req.method !== 'PUT') return this.reply(req, res, 405, '');
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return this.reply(req, res, 400, 'bad ttl');
      const token = randomBytes(24).toString('base64');
      const life = Math.min(ttl, this.opts.maxTokenTtlSec ?? ttl);
      this.tokens.set(token, Date.now() + life * 1000);
      return this.reply(req, res, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(life) });
    }
    if (!url.pathname.startsWith('/latest/')) return this.reply(req, res, 404, '');
    const token = String(req.headers['x-aws-ec2-metadata-token'] ?? '');
    const expires = this.tokens.get(token);
    if (req.method !== 'GET') return this.reply(req, res, 405, '');
    if (expires === undefined || expires < Date.now()) return this.reply(req, res, 401, '');
    const path = url.pathname.slice('/latest/'.length);
    const zone = this.opts.zone ?? 'us-east-1a';
    const values: Record<string, string | undefined> = {
      'meta-data/instance-id': this.opts.instanceId ?? 'i-0123456789abcdef0',
      'meta-data/instance-type': this.opts.instanceType ?? 'p5.48xlarge',
      'meta-data/placement/availability-zone': zone,
      'meta-data/placement/region': zone.replace(/[a-z]$/, ''),
      'meta-data/spot/instance-action': this.spotAction && JSON.stringify(this.spotAction),
      'meta-data/events/recommendations/rebalance': this.rebalance && JSON.stringify(this.rebalance),
    };
    const v = values[path];
    return v === undefined ? this.reply(req, res, 404, 'Not Found') : this.reply(req, res, 200, v);
  }

  private gcp(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const flavour = { 'metadata-flavor': 'Google' };
    if (req.headers['metadata-flavor'] !== 'Google') return this.reply(req, res, 403, 'Missing Metadata-Flavor:Google header.', flavour);
    const path = url.pathname.replace(/^\/computeMetadata\/v1\//, '');
    const zone = this.opts.zone ?? 'us-central1-a';
    const values: Record<string, string> = {
      'instance/id': '4520031799277581759',
      'instance/name': this.opts.instanceId ?? 'train-3',
      'instance/machine-type': `projects/123456789/machineTypes/${this.opts.instanceType ?? 'a3-highgpu-8g'}`,
      'instance/zone': `projects/123456789/zones/${zone}`,
    };
    if (path === 'instance/preempted') {
      const answer = (): void => this.reply(req, res, 200, this.preempted ? 'TRUE' : 'FALSE', { ...flavour, etag: this.etag });
      if (url.searchParams.get('wait_for_change') !== 'true') return answer();
      const last = url.searchParams.get('last_etag');
      if (last && last !== this.etag) return answer();
      const timeoutSec = Number(url.searchParams.get('timeout_sec') ?? 60);
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        answer();
      }, timeoutSec * 1000);
      const wake = (): void => {
        clearTimeout(timer);
        answer();
      };
      this.waiters.push(wake);
      return;
    }
    const v = values[path];
    return v === undefined ? this.reply(req, res, 404, 'Not Found', flavour) : this.reply(req, res, 200, v, flavour);
  }
}
