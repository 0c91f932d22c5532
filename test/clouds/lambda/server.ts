/**
 * A Lambda Cloud API on 127.0.0.1 for tests: the paths, bodies, status codes and error documents of
 * https://cloud.lambda.ai/api/v1 (bearer or basic authentication, `{data}` / `{error: {code,
 * message, suggestion}}`), with the account's rate limits enforced on the test's clock when asked.
 * Every request is logged (clock time, method, path, headers, body) for tests to inspect.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../../src/model/index.js';
import { apiError, LambdaCloud, type CloudOptions, type Reply } from './cloud.js';

export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
  status: number;
}

export interface LambdaServerOptions extends Partial<CloudOptions> {
  apiKey: string;
  /** Enforce about one request per `requestMs` and one launch per `launchMs` (429 otherwise). */
  limits?: { requestMs: number; launchMs: number };
  /** Echo the Authorization header in auth errors (a careless upstream), to test redaction. */
  echoAuthorization?: boolean;
}

export class LambdaCloudServer {
  readonly log: LoggedRequest[] = [];
  readonly cloud: LambdaCloud;
  /** Requests received and not yet answered. */
  inFlight = 0;
  private lastRequest: number | undefined;
  private lastLaunch: number | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly opts: LambdaServerOptions,
    cloud: LambdaCloud,
  ) {
    this.cloud = cloud;
  }

  static async start(opts: LambdaServerOptions): Promise<LambdaCloudServer> {
    const cloud = new LambdaCloud({ sshKeys: ['navarch-ops'], retryAfterSeconds: 1, ...opts, clock: opts.clock ?? systemClock });
    // The handler needs the instance, which needs the listening server's port.
    const ref: { self?: LambdaCloudServer } = {};
    const server = createServer((req, res) => void ref.self?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    ref.self = new LambdaCloudServer(server, `http://127.0.0.1:${port}/api/v1`, opts, cloud);
    return ref.self;
  }

  /** Requests of one kind, e.g. `POST /api/v1/instance-operations/launch`. */
  calls(method: string, path: string): LoggedRequest[] {
    return this.log.filter((r) => r.method === method && r.path === `/api/v1${path}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private authorized(header: string | undefined): boolean {
    if (header === `Bearer ${this.opts.apiKey}`) return true;
    // curl -u KEY: sends Basic base64("KEY:"); the API accepts it too.
    return header === `Basic ${Buffer.from(`${this.opts.apiKey}:`).toString('base64')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight += 1;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    let malformed = false;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      malformed = true;
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    const reply = malformed ? apiError(400, 'global/invalid-parameters', 'Request body is not valid JSON.') : this.route(req, path, body);
    this.log.push({ at: this.cloud.opts.clock.now(), method: req.method ?? '', path, authorization: req.headers.authorization, body, status: reply.status });
    const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
      ...reply.headers,
    });
    res.end(payload);
    this.inFlight -= 1;
  }

  private rateLimited(isLaunch: boolean): Reply | undefined {
    const limits = this.opts.limits;
    if (!limits) return undefined;
    const now = this.cloud.opts.clock.now();
    const early = (last: number | undefined, gap: number): number => (last === undefined ? 0 : last + gap - now);
    const wait = Math.max(early(this.lastRequest, limits.requestMs), isLaunch ? early(this.lastLaunch, limits.launchMs) : 0);
    if (wait > 0) return { status: 429, body: 'Too Many Requests', headers: { 'retry-after': String(Math.ceil(wait / 1000)) } };
    this.lastRequest = now;
    if (isLaunch) this.lastLaunch = now;
    return undefined;
  }

  private route(req: IncomingMessage, path: string, body: unknown): Reply {
    if (!this.authorized(req.headers.authorization)) {
      const echo = this.opts.echoAuthorization ? ` (got ${req.headers.authorization ?? 'nothing'})` : '';
      return apiError(401, 'global/invalid-api-key', `API key was invalid, expired, or deleted.${echo}`, 'Check your API key or create a new one, then try again.');
    }
    const route = `${req.method ?? ''} ${path}`;
    const limited = this.rateLimited(route === 'POST /api/v1/instance-operations/launch');
    if (limited) return limited;
    const cloud = this.cloud;
    switch (route) {
      case 'GET /api/v1/instances':
        return cloud.takeFailure('list') ?? { status: 200, body: { data: cloud.visible().map((i) => cloud.toWire(i)) } };
      case 'GET /api/v1/instance-types':
        return cloud.takeFailure('instance-types') ?? { status: 200, body: { data: cloud.instanceTypes() } };
      case 'POST /api/v1/instance-operations/launch':
        return cloud.takeFailure('launch') ?? cloud.launch(body);
      case 'POST /api/v1/instance-operations/terminate':
        return cloud.takeFailure('terminate') ?? cloud.terminate(body);
    }
    const one = /^\/api\/v1\/instances\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && one) {
      const inst = cloud.visible().find((i) => i.id === one[1]);
      return inst ? { status: 200, body: { data: cloud.toWire(inst) } } : apiError(404, 'global/object-does-not-exist', 'Specified instance does not exist.');
    }
    return apiError(404, 'global/object-does-not-exist', `No route for ${route}.`);
  }
}
