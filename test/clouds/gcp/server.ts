/**
 * A Compute Engine v1 API on 127.0.0.1 for tests: the real `@google-cloud/compute` client talks
 * to it over its REST transport. It checks the caller's self-signed JWT, validates request bodies,
 * keeps instances and zone operations, paginates aggregatedList, and fails calls on demand with
 * the API's own error documents or operation errors.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkBearer, type ServiceAccountKey } from './credentials.js';
import { ComputeState, type FaultMethod } from './state.js';
import { errorDocument, type Fault, type HttpFault } from './wire.js';

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface ComputeServerOptions {
  project: string;
  /** Most instances per aggregatedList page, whatever maxResults asks for. */
  pageSize?: number;
  /** Zones the server knows (aggregatedList reports each; others are refused). */
  zones: string[];
}

const ROUTES: Array<[string, RegExp, FaultMethod]> = [
  ['GET', /^aggregated\/instances$/, 'aggregatedList'],
  ['POST', /^zones\/([^/]+)\/instances$/, 'insert'],
  ['GET', /^zones\/([^/]+)\/instances\/([^/]+)$/, 'get'],
  ['DELETE', /^zones\/([^/]+)\/instances\/([^/]+)$/, 'delete'],
  ['POST', /^zones\/([^/]+)\/instances\/([^/]+)\/setLabels$/, 'setLabels'],
  ['POST', /^zones\/([^/]+)\/operations\/([^/]+)\/wait$/, 'wait'],
  ['GET', /^zones\/([^/]+)\/operations\/([^/]+)$/, 'getOperation'],
];

/** The loopback Compute Engine API. */
export class ComputeServer {
  readonly state: ComputeState;
  readonly requests: RecordedRequest[] = [];
  /** Every bearer token presented, so tests can check none of them leaks. */
  readonly tokensSeen = new Set<string>();
  private readonly keys = new Map<string, ServiceAccountKey>();
  private readonly faults: Array<{ method: FaultMethod; fault: Fault; remaining: number }> = [];
  private server: Server | undefined;
  private base = '';

  constructor(readonly options: ComputeServerOptions) {
    this.state = new ComputeState(options.project, options.zones, options.pageSize ?? 500);
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.base;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts JWTs signed by this key. */
  trust(key: ServiceAccountKey): void {
    this.keys.set(key.keyId, key);
  }

  /** Makes the next `times` calls of `method` fail with `fault`. */
  fail(method: FaultMethod, fault: Fault, times = 1): void {
    this.faults.push({ method, fault, remaining: times });
  }

  /** Requests of one method and path pattern, for asserting what the client sent. */
  calls(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  private takeFault(method: FaultMethod): Fault | undefined {
    const i = this.faults.findIndex((f) => f.method === method && f.remaining > 0);
    const entry = this.faults[i];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.faults.splice(i, 1);
    return entry.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return send(res, { kind: 'http', status: 400, reason: 'parseError', message: 'Parse Error' });
    }
    const authorization = req.headers.authorization;
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), body, authorization });
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (token) this.tokensSeen.add(token);

    const auth = checkBearer(authorization, this.keys, Date.now());
    if (!auth.ok) {
      return send(res, {
        kind: 'http',
        status: 401,
        reason: 'authError',
        message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      });
    }
    const prefix = `/compute/v1/projects/${this.options.project}/`;
    if (!url.pathname.startsWith(prefix)) {
      const project = /^\/compute\/v1\/projects\/([^/]+)/.exec(url.pathname)?.[1];
      return send(res, project ? notFound(`projects/${project}`) : notFound(url.pathname));
    }
    const rest = url.pathname.slice(prefix.length);
    for (const [method, pattern, name] of ROUTES) {
      const m = pattern.exec(rest);
      if (!m || method !== req.method) continue;
      const fault = name === 'getOperation' ? undefined : this.takeFault(name);
      if (fault?.kind === 'http') return send(res, fault);
      const args = m.slice(1).map(decodeURIComponent);
      const result = this.state.call(name, args, url.searchParams, body, auth.email, fault);
      return 'fault' in result ? send(res, result.fault) : sendJson(res, 200, result.json);
    }
    return send(res, notFound(url.pathname));
  }
}

function notFound(resource: string): HttpFault {
  return { kind: 'http', status: 404, reason: 'notFound', message: `The resource '${resource}' was not found` };
}

function sendJson(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function send(res: ServerResponse, fault: HttpFault): void {
  sendJson(res, fault.status, errorDocument(fault), fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
}
