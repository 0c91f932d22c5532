/**
 * The push webhook over real HTTP on 127.0.0.1: a signed delivery reconciles at once; an unsigned,
 * mis-signed or unverifiable one is refused before anything happens; events that are not pushes
 * are acknowledged and ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signBody } from '../../src/server/index.js';
import { ADMIN, call, startControlPlane, startServer, type TestControlPlane, type TestServer } from './helpers.js';

const HOOK_SECRET = 'hooks-webhook-secret-0123456789';
const FILES = {
  'navarch.yaml': 'fleet: hooks\nproviders:\n  local: { type: fake }\n',
  'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 1\n',
};

let t: TestControlPlane | undefined;
let s: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  await s?.close();
  t = undefined;
  s = undefined;
});

const post = (url: string, raw: string, headers: Record<string, string>) => call(`${url}/v1/hooks/git`, { raw, headers: { 'content-type': 'application/json', ...headers } });

describe('POST /v1/hooks/git', () => {
  it('reconciles on a signed push and on the admin token; refuses a bad signature without reconciling', async () => {
    t = await startControlPlane(FILES, { webhookSecret: HOOK_SECRET });
    const raw = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40) });

    const bad = await post(t.url, raw, { 'x-github-event': 'push', 'x-hub-signature-256': signBody('not-the-secret-0123456789', raw) });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: { code: 'auth.signature' } });
    const unsigned = await post(t.url, raw, { 'x-github-event': 'push' });
    expect(unsigned.body).toMatchObject({ error: { code: 'auth.missing' } });
    await t.cp.idle();
    expect(t.events.filter((e) => e.type === 'reconcile-start')).toEqual([]);
    expect(await t.live()).toEqual([]);

    const ok = await post(t.url, raw, { 'x-github-event': 'push', 'x-hub-signature-256': signBody(HOOK_SECRET, raw) });
    expect(ok).toEqual({ status: 202, body: { queued: true, reason: 'reconcile queued' } });
    await t.cp.idle();
    expect(t.events.find((e) => e.type === 'reconcile-start')).toEqual({ type: 'reconcile-start', reason: `push to refs/heads/main (aaaaaaa)` });
    expect((await t.live()).map((i) => i.node)).toEqual(['train-1']);

    const issue = JSON.stringify({ action: 'opened' });
    const ignored = await post(t.url, issue, { 'x-github-event': 'issues', 'x-hub-signature-256': signBody(HOOK_SECRET, issue) });
    expect(ignored).toEqual({ status: 202, body: { queued: false, reason: 'issues event is not a push' } });
    const byToken = await call(`${t.url}/v1/hooks/git`, { token: ADMIN, method: 'POST' });
    expect(byToken).toEqual({ status: 202, body: { queued: true, reason: 'reconcile queued' } });
  });

  it('refuses signed deliveries when no webhook secret is set, and answers 503 without a reconcile loop', async () => {
    s = await startServer();
    const raw = '{}';
    const signed = await post(s.url, raw, { 'x-hub-signature-256': signBody(HOOK_SECRET, raw) });
    expect(signed.status).toBe(401);
    expect(signed.body).toMatchObject({ error: { code: 'auth.webhook-secret-unset', message: expect.stringContaining('NAVARCH_WEBHOOK_SECRET') } });
    expect((await call(`${s.url}/v1/hooks/git`, { token: ADMIN, method: 'POST' })).status).toBe(503);
  });
});
