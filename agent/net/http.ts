/**
 * A small HTTP client on node:http(s): JSON or text bodies, one deadline per request, keep-alive.
 * The agent talks to two servers (the control plane and the metadata service) and needs nothing
 * more; staying on the built-in modules keeps its memory small.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The request never got a status: refused, reset, unresolvable, or past its deadline. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 4 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 4 }),
};

const MAX_BODY = 8 * 1024 * 1024;

export function request(target: string | URL, opts: RequestOptions): Promise<HttpResponse> {
  const url = typeof target === 'string' ? new URL(target) : target;
  const mod = url.protocol === 'https:' ? https : http;
  const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const req = mod.request(url, { method: opts.method ?? 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new NetworkError(`response from ${url.host} is larger than ${MAX_BODY} bytes`, 'ETOOBIG'));
        else chunks.push(c);
      });
      res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })));
      res.on('error', (err) => finish(() => reject(asNetworkError(err, url))));
    });
    const timer = setTimeout(() => req.destroy(new NetworkError(`no answer from ${url.host} within ${opts.timeoutMs}ms`, 'ETIMEDOUT')), opts.timeoutMs);
    const onAbort = (): void => void req.destroy(new NetworkError('request aborted', 'EABORTED'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(() => reject(asNetworkError(err, url))));
    req.end(opts.body);
  });
}

function asNetworkError(err: unknown, url: URL): NetworkError {
  if (err instanceof NetworkError) return err;
  const e = err as NodeJS.ErrnoException;
  return new NetworkError(`${url.host}: ${e.message}`, e.code ?? 'ENETWORK');
}

/** Closes idle keep-alive sockets (at shutdown, so the process can exit). */
export function closeIdleSockets(): void {
  agents['http:'].destroy();
  agents['https:'].destroy();
}
