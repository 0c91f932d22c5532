/**
 * The agent API refuses what it must, over real HTTP on 127.0.0.1, and a refused request stores
 * nothing: no node, no heartbeat, no event, no command.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeToken } from '../../src/server/index.js';
import { ADMIN, call, registration, SECRET, startServer, TestAgent, xid, type TestServer } from './helpers.js';

let s: TestServer;
beforeEach(async () => {
  s = await startServer({ bodyLimit: 16 * 1024 });
});
afterEach(async () => {
  await s.close();
});

/** Everything the store holds about the node, to compare before and after a refused request. */
async function snapshot(id: string): Promise<unknown> {
  return {
    node: await s.store.getNode(id),
    events: await s.store.events(id, 1000),
    commands: await s.store.commands(id, 1000),
    nodes: (await s.store.listNodes()).map((n) => n.id),
  };
}

describe('agent authentication', () => {
  it('derives one token per node, the same for every caller of nodeToken', () => {
    expect(nodeToken(SECRET, 'train-1')).toBe(nodeToken(SECRET, 'train-1'));
    expect(nodeToken(SECRET, 'train-1')).not.toBe(nodeToken(SECRET, 'train-2'));
    expect(nodeToken(SECRET, 'train-1')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a missing or forged token with 401 and stores nothing', async () => {
    const before = await snapshot('train-1');
    const body = registration();
    const missing = await call(`${s.url}/v1/nodes/train-1/register`, { body });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: 'auth.missing', message: 'missing bearer token (Authorization: Bearer <token>)' } });
    const forged = await call(`${s.url}/v1/nodes/train-1/register`, { body, token: nodeToken('some-other-secret', 'train-1') });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ error: { code: 'auth.invalid' } });
    const admin = await call(`${s.url}/v1/nodes/train-1/register`, { body, token: ADMIN });
    expect(admin.status).toBe(401);
    expect(await snapshot('train-1')).toEqual(before);
  });

  it("refuses node A's token on node B's routes with 403 and stores nothing on B", async () => {
    const a = s.agent('train-1');
    expect((await a.register()).status).toBe(200);
    const before = await snapshot('train-2');
    const asB = new TestAgent(s.url, 'train-2', a.token);
    for (const r of [await asB.register(), await asB.heartbeat(), await asB.report([xid(79)]), await asB.commands()]) {
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: { code: 'auth.wrong-node', message: 'this token belongs to node train-1, not train-2' } });
    }
    expect(await snapshot('train-2')).toEqual(before);
    expect((await s.store.getNode('train-1'))?.lastReportAt).toBeUndefined();
  });

  it('refuses an oversized body with 413 and stores nothing', async () => {
    const a = s.agent('train-1');
    await a.register();
    const before = await snapshot('train-1');
    const events = Array.from({ length: 400 }, () => xid(79));
    const r = await a.report(events);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: { code: 'request.too-large' } });
    expect(await snapshot('train-1')).toEqual(before);
  });

  it('refuses malformed bodies with 400 and the reason, storing nothing', async () => {
    const a = s.agent('train-1');
    await a.register();
    const before = await snapshot('train-1');
    const url = `${s.url}/v1/nodes/train-1/health`;
    const notJson = await call(url, { token: a.token, raw: '{"id": "x",' });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ error: { code: 'request.malformed' } });
    const wrongType = await call(url, { token: a.token, body: { id: 'boot-1-1', seq: 'one', time: '2026-01-01T00:00:00Z', checks: [], events: [] } });
    expect(wrongType).toEqual({ status: 400, body: { error: { code: 'request.invalid', message: 'invalid request: body/seq must be integer' } } });
    const badEvent = await call(url, { token: a.token, body: { id: 'boot-1-1', seq: 1, time: '2026-01-01T00:00:00Z', checks: [], events: [{ kind: 'xid', time: '2026-01-01T00:00:00Z', message: 'm' }] } });
    expect(badEvent.status).toBe(400);
    expect((badEvent.body as { error: { message: string } }).error.message).toBe("invalid request: body/events/0 must have required property 'xid'");
    const unknownKind = await call(url, { token: a.token, body: { id: 'boot-1-1', seq: 1, time: '2026-01-01T00:00:00Z', checks: [], events: [{ kind: 'meteor', time: '2026-01-01T00:00:00Z' }] } });
    expect(unknownKind.status).toBe(400);
    expect((unknownKind.body as { error: { message: string } }).error.message).toBe('invalid request: body/events/0/kind must be one of xid, ecc, remapped-rows, retired-pages, thermal, nvlink, nvml-failure, preemption, diagnostic');
    const badTime = await call(url, { token: a.token, body: { id: 'boot-1-1', seq: 1, time: 'yesterday', checks: [], events: [] } });
    expect(badTime.status).toBe(400);
    expect((badTime.body as { error: { message: string } }).error.message).toBe('invalid request: body/time must match format "date-time"');
    const text = await call(url, { token: a.token, raw: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(await snapshot('train-1')).toEqual(before);
  });

  it('answers 404 to a node that never registered, storing nothing', async () => {
    const a = s.agent('train-9');
    expect((await a.heartbeat()).body).toMatchObject({ error: { code: 'node.unregistered' } });
    expect((await a.report([xid(79)])).status).toBe(404);
    expect(await s.store.listNodes()).toEqual([]);
  });
});

describe('admin authentication', () => {
  it('takes the admin token only', async () => {
    const a = s.agent('train-1');
    await a.register();
    expect((await call(`${s.url}/v1/nodes`)).status).toBe(401);
    expect((await call(`${s.url}/v1/nodes`, { token: a.token })).status).toBe(401);
    expect((await call(`${s.url}/v1/nodes`, { token: `${ADMIN}x` })).status).toBe(401);
    const ok = await call<{ nodes: Array<{ id: string }> }>(`${s.url}/v1/nodes`, { token: ADMIN });
    expect(ok.status).toBe(200);
    expect(ok.body.nodes.map((n) => n.id)).toEqual(['train-1']);
    const cordon = await call(`${s.url}/v1/nodes/train-1/cordon`, { token: a.token, body: { reason: 'mine now' } });
    expect(cordon.status).toBe(401);
    expect((await s.store.getNode('train-1'))?.cordoned).toBe(false);
    expect((await s.store.pendingCommands('train-1'))).toEqual([]);
  });

  it('leaves /healthz, /readyz and /metrics open, and unknown routes closed', async () => {
    expect((await call(`${s.url}/healthz`)).status).toBe(200);
    expect((await call(`${s.url}/readyz`)).status).toBe(200);
    expect((await call(`${s.url}/metrics`)).status).toBe(200);
    expect((await call(`${s.url}/v1/secrets`)).status).toBe(401);
    expect((await call(`${s.url}/v1/secrets`, { token: ADMIN })).status).toBe(404);
  });
});
