/**
 * The control plane's node API, as the agent calls it (bodies in src/model/agent-api.ts):
 * register, heartbeat, health reports, command polling and acknowledgements, each with the node's
 * bearer token. Errors are classified so callers know whether to retry, re-register or give up.
 */
import type {
  CommandAck,
  HealthReport,
  HealthReportResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  NodeCommand,
  RegisterRequest,
  RegisterResponse,
} from '../../src/model/index.js';
import type { NetworkError} from '../net/http.js';
import { request } from '../net/http.js';

/**
 * Why a call failed. `unreachable`: no answer (retry); `server`: 5xx or 429 (retry);
 * `auth`: 401/403 (retry after re-reading the token: it may have been rotated);
 * `unknown-node`: 404 (register again); `rejected`: any other 4xx (the body will never be accepted).
 */
export type ApiErrorKind = 'unreachable' | 'server' | 'auth' | 'unknown-node' | 'rejected';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    readonly status?: number,
    /** How long the server asked to be left alone (its Retry-After), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.kind !== 'rejected';
  }
}

export interface ClientOptions {
  /** Base URL of the control plane, e.g. `https://navarch.example.com` (a path prefix is kept). */
  server: string;
  nodeId: string;
  /** Current token; called for every request so a rotated token file is picked up. */
  token: () => string;
  timeoutMs: number;
  userAgent?: string;
}

export class ControlPlaneClient {
  private readonly base: string;

  constructor(private readonly opts: ClientOptions) {
    this.base = opts.server.replace(/\/+$/, '');
  }

  private url(...parts: string[]): string {
    return `${this.base}/v1/nodes/${parts.map((p) => encodeURIComponent(p)).join('/')}`;
  }

  private async call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.opts.token()}`,
      accept: 'application/json',
      'user-agent': this.opts.userAgent ?? 'navarch-agent',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await request(url, { method, headers, timeoutMs: this.opts.timeoutMs, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (err) {
      const e = err as NetworkError;
      throw new ApiError(`${method} ${pathOf(url)}: ${e.message}`, 'unreachable');
    }
    if (res.status >= 200 && res.status < 300) {
      if (res.body.trim() === '') return {} as T;
      try {
        return JSON.parse(res.body) as T;
      } catch {
        throw new ApiError(`${method} ${pathOf(url)}: the reply is not JSON`, 'server', res.status);
      }
    }
    const detail = errorText(res.body);
    const msg = `${method} ${pathOf(url)}: HTTP ${res.status}${detail ? `: ${detail}` : ''}`;
    if (res.status === 401 || res.status === 403) throw new ApiError(msg, 'auth', res.status);
    if (res.status === 404) throw new ApiError(msg, 'unknown-node', res.status);
    if (res.status === 408 || res.status === 429 || res.status >= 500) throw new ApiError(msg, 'server', res.status, retryAfterMs(res.headers['retry-after']));
    throw new ApiError(msg, 'rejected', res.status);
  }

  register(body: RegisterRequest): Promise<RegisterResponse> {
    return this.call<RegisterResponse>('POST', this.url(this.opts.nodeId, 'register'), body);
  }

  async heartbeat(body: HeartbeatRequest): Promise<HeartbeatResponse> {
    const r = await this.call<Partial<HeartbeatResponse>>('POST', this.url(this.opts.nodeId, 'heartbeat'), body);
    return { commands: Array.isArray(r.commands) ? r.commands : [] };
  }

  async health(body: HealthReport): Promise<HealthReportResponse> {
    const r = await this.call<Partial<HealthReportResponse>>('POST', this.url(this.opts.nodeId, 'health'), body);
    return { stored: r.stored !== false };
  }

  /** Commands waiting for this node; the reply is `{commands: [...]}` (a bare list is accepted too). */
  async commands(): Promise<NodeCommand[]> {
    const r = await this.call<{ commands?: NodeCommand[] } | NodeCommand[]>('GET', this.url(this.opts.nodeId, 'commands'));
    if (Array.isArray(r)) return r;
    return Array.isArray(r.commands) ? r.commands : [];
  }

  async ack(commandId: string, body: CommandAck): Promise<void> {
    await this.call<unknown>('POST', this.url(this.opts.nodeId, 'commands', commandId, 'ack'), body);
  }
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** The server's error message when it sent one (`{error: {message}}`, `{message}`), else a short excerpt. */
function errorText(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (typeof j.error?.message === 'string') return j.error.message;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}
