import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ControlPlaneClient, retryAfterMs } from './client.js';

let server: http.Server;
let base = '';
const seen: Array<{ method: string; url: string; auth: string; body: string }> = [];
let status = 200;
let reply = '{}';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization ?? '', body });
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '7' } : {}) });
      res.end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/prefix/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = (token = 'tok-123456') => new ControlPlaneClient({ server: base, nodeId: 'train 3', token: () => token, timeoutMs: 2000 });

describe('ControlPlaneClient', () => {
  it('calls the node routes under the server\'s path with the bearer token', async () => {
    status = 200;
    reply = JSON.stringify({ commands: [{ id: 'c1', kind: 'cordon', issuedAt: '2026-01-01T00:00:00Z' }] });
    const hb = await client().heartbeat({ seq: 1, time: '2026-01-01T00:00:00Z', gpus: [], host: {} });
    expect(hb.commands.map((c) => c.id)).toEqual(['c1']);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/prefix/v1/nodes/train%203/heartbeat', auth: 'Bearer tok-123456' });
    reply = '[]';
    expect(await client().commands()).toEqual([]);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/prefix/v1/nodes/train%203/commands' });
    reply = '';
    await client().ack('c/1', { result: 'ok' });
    expect(seen.at(-1)).toMatchObject({ url: '/prefix/v1/nodes/train%203/commands/c%2F1/ack', body: '{"result":"ok"}' });
    reply = '{"stored":false}';
    expect(await client().health({ id: 'a-1', seq: 1, time: '2026-01-01T00:00:00Z', checks: [], events: [] })).toEqual({ stored: false });
  });

  it.each([
    [401, 'auth', true],
    [403, 'auth', true],
    [404, 'unknown-node', true],
    [429, 'server', true],
    [503, 'server', true],
    [400, 'rejected', false],
    [422, 'rejected', false],
  ] as const)('classifies HTTP %i as %s', async (code, kind, retryable) => {
    status = code;
    reply = JSON.stringify({ error: { message: 'nope' } });
    const err = await client()
      .commands()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind, status: code, retryable });
    expect((err as Error).message).toContain('nope');
  });

  it("carries a 429's Retry-After, in seconds or as a date", async () => {
    status = 429;
    const err = await client()
      .commands()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'server', status: 429, retryAfterMs: 7000 });
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('calls an unreachable server unreachable', async () => {
    const c = new ControlPlaneClient({ server: 'http://127.0.0.1:1', nodeId: 'n', token: () => 'x', timeoutMs: 2000 });
    await expect(c.commands()).rejects.toMatchObject({ kind: 'unreachable' });
  });
});
