import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/index.js';
import { redact, systemClock } from '../../model/index.js';
import { parseControlPlane } from '../settings.js';
import { fieldAt, WebhookNotifier } from './webhook.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: Handler): Promise<string> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => handler(req, body, res));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function notifier(url: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}): WebhookNotifier {
  const settings = parseControlPlane({ notifier: { type: 'webhook', url: `${url}/hook`, ...extra } }).notifier;
  return new WebhookNotifier(settings, { clock: systemClock, logger: silentLogger, env, retry: { attempts: 3, baseMs: 1, maxMs: 2 } });
}

describe('webhook notifier', () => {
  it("posts the seeds' JSON events with the bearer token", async () => {
    const got: Array<{ auth: string | undefined; body: unknown }> = [];
    const url = await serve((req, body, res) => {
      got.push({ auth: req.headers.authorization, body: JSON.parse(body) });
      res.end('{}');
    });
    const n = notifier(url, { token_env: 'HOOK_TOKEN' }, { HOOK_TOKEN: 'hook-secret-value-123' });
    await n.cordon({ name: 'train-1', pool: 'train' }, 'XID 79');
    await n.drain({ name: 'train-1', pool: 'train' }, 'XID 79');
    await n.uncordon({ name: 'train-1', pool: undefined });
    expect(got.map((g) => g.auth)).toEqual(['Bearer hook-secret-value-123', 'Bearer hook-secret-value-123', 'Bearer hook-secret-value-123']);
    expect(got.map((g) => g.body)).toMatchObject([
      { event: 'cordon', node_id: 'train-1', pool: 'train', reason: 'XID 79' },
      { event: 'drain', node_id: 'train-1', pool: 'train', reason: 'XID 79' },
      { event: 'uncordon', node_id: 'train-1', pool: null, reason: '' },
    ]);
    expect((got[0]?.body as { timestamp: string }).timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(redact('token hook-secret-value-123')).toBe('token [REDACTED]');
  });

  it('retries 5xx answers, gives up on 4xx', async () => {
    let calls = 0;
    const flaky = await serve((_req, _body, res) => {
      calls += 1;
      res.statusCode = calls < 3 ? 503 : 200;
      res.end('{}');
    });
    await notifier(flaky).cordon({ name: 'train-1', pool: 'train' }, 'r');
    expect(calls).toBe(3);
    const refusing = await serve((_req, _body, res) => {
      res.statusCode = 403;
      res.end('forbidden');
    });
    await expect(notifier(refusing).drain({ name: 'train-1', pool: 'train' }, 'r')).rejects.toThrow(/answered 403: forbidden/);
  });

  it('reads drain status from the configured URL and field', async () => {
    const url = await serve((req, _body, res) => res.end(JSON.stringify({ node: req.url, status: { drained: req.url === '/drain/train-2' } })));
    const n = notifier(url, { drain_status_url: `${url}/drain/{node}`, drain_status_field: 'status.drained' });
    expect(await n.isDrained({ name: 'train-1', pool: 'train' })).toBe(false);
    expect(await n.isDrained({ name: 'train-2', pool: 'train' })).toBe(true);
    expect(await notifier(url).isDrained({ name: 'train-1', pool: 'train' })).toBe(true);
    expect(fieldAt({ a: { b: true } }, 'a.b')).toBe(true);
    expect(fieldAt({ a: 1 }, 'a.b')).toBeUndefined();
  });

  it('refuses a token variable that is not set', () => {
    expect(() => notifier('http://127.0.0.1:1', { token_env: 'MISSING_TOKEN' })).toThrow('control_plane.notifier.token_env names MISSING_TOKEN, which is not set');
  });
});
