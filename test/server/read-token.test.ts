/**
 * The read-only token (NAVARCH_READ_TOKEN) over real HTTP: it reads every admin route, a node's
 * replacement in flight and the planner's facts included, and changes nothing. Every registered
 * route is walked, so a route added later is held to the same rule.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, READER, startControlPlane, xid, type TestControlPlane } from './helpers.js';

let t: TestControlPlane;
beforeEach(async () => {
  t = await startControlPlane(
    {
      'navarch.yaml': 'fleet: gpus\nproviders:\n  local: { type: fake }\n',
      'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 2\nmax_nodes: 4\n',
    },
    { readToken: READER },
  );
  expect(await t.cp.reconcile(true)).toMatchObject({ result: 'applied', actions: 2 });
  for (const id of ['train-1', 'train-2']) {
    const a = t.agent(id);
    await a.register();
    await a.heartbeat();
    await a.report();
  }
  // train-2 is being replaced: its lifecycle waits for train-3, which never registers.
  await t.agent('train-2').report([xid(79)]);
  await t.cp.idle();
});
afterEach(async () => {
  await t.close();
});

/** Everything the control plane holds and has done, to compare before and after refused requests. */
async function snapshot(): Promise<unknown> {
  const nodes = await t.store.listNodes();
  return {
    nodes,
    commands: await Promise.all(nodes.map((n) => t.store.commands(n.id, 1000))),
    breakers: await t.store.breakers(),
    lifecycles: await t.store.lifecycles(),
    backoffs: await t.store.backoffs(),
    live: await t.live(),
    events: t.events.length,
  };
}

const PARAMS: Record<string, string> = { id: 'train-2', pool: 'train', cid: 'cmd-1' };
const fill = (url: string): string => url.replace(/:(\w+)/g, (_m, name: string) => PARAMS[name] ?? name);

describe('the read-only token', () => {
  it('reads every admin route and no write route accepts it; nothing changes', async () => {
    const before = await snapshot();
    const routes = t.routes.filter((r) => r.method !== 'OPTIONS');
    const reads = routes.filter((r) => r.auth === 'admin' && (r.method === 'GET' || r.method === 'HEAD'));
    const writes = routes.filter((r) => (r.auth === 'admin' || r.auth === 'webhook') && r.method !== 'GET' && r.method !== 'HEAD');
    const agents = routes.filter((r) => r.auth === 'node');
    // The walk covers what it should: a test that checks nothing cannot fail.
    expect(reads.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['GET /v1/nodes', 'GET /v1/nodes/:id', 'GET /v1/fleet', 'GET /v1/breakers', 'GET /v1/facts', 'HEAD /v1/fleet']),
    );
    expect(writes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['POST /v1/reconcile', 'POST /v1/nodes/:id/cordon', 'POST /v1/nodes/:id/commands', 'POST /v1/pools/:pool/breaker/reset', 'POST /v1/hooks/git']),
    );
    expect(agents.length).toBeGreaterThanOrEqual(5);

    for (const r of reads) {
      const res = await call(`${t.url}${fill(r.url)}`, { method: r.method, token: READER });
      expect({ route: `${r.method} ${r.url}`, status: res.status }).toEqual({ route: `${r.method} ${r.url}`, status: 200 });
    }
    for (const r of writes) {
      const url = fill(r.url);
      const res = await call(`${t.url}${url}`, { method: r.method, token: READER, body: { kind: 'cordon', reason: 'read-only' } });
      expect({ route: `${r.method} ${r.url}`, status: res.status, body: res.body }).toEqual({
        route: `${r.method} ${r.url}`,
        status: 403,
        body: {
          error: {
            code: 'auth.read-only',
            message: `the read-only token (NAVARCH_READ_TOKEN) cannot change anything: ${r.method} ${url} takes the admin token (NAVARCH_AUTH_TOKEN)`,
          },
        },
      });
    }
    for (const r of agents) {
      const res = await call(`${t.url}${fill(r.url)}`, { method: r.method, token: READER, ...(r.method === 'POST' ? { body: {} } : {}) });
      expect({ route: `${r.method} ${r.url}`, status: res.status }).toEqual({ route: `${r.method} ${r.url}`, status: 401 });
    }
    expect(await snapshot()).toEqual(before);

    // The admin token still changes things: the refusals were the read token's, not the routes'.
    expect((await call(`${t.url}/v1/nodes/train-1/cordon`, { method: 'POST', token: ADMIN })).status).toBe(200);
  });

  it("shows a node's replacement in flight, the fleet, the breakers and the planner's facts", async () => {
    const node = await call<{ node: { id: string; health: string; lifecycle: { role: string; state: string; peer: string } | null } }>(`${t.url}/v1/nodes/train-2`, { token: READER });
    expect(node.status).toBe(200);
    expect(node.body.node).toMatchObject({ id: 'train-2', health: 'unhealthy', lifecycle: { role: 'old', state: 'waiting', peer: 'train-3' } });
    const fleet = await call<{ status: { nodes: Array<{ name: string }> } }>(`${t.url}/v1/fleet`, { token: READER });
    expect(fleet.body.status.nodes.map((n) => n.name)).toEqual(['train-1', 'train-2', 'train-3']);
    expect(await call(`${t.url}/v1/breakers`, { token: READER })).toEqual({ status: 200, body: { breakers: {} } });
    const facts = await call<{ version: number; computed_at: string; desired_commit: string | null; nodes: unknown[] }>(`${t.url}/v1/facts`, { token: READER });
    expect(facts.status).toBe(200);
    expect(facts.body).toEqual({
      version: 1,
      computed_at: new Date(t.clock.now()).toISOString(),
      desired_commit: null,
      nodes: [
        { name: 'train-1', health: 'healthy', reason: null, cordoned: false },
        { name: 'train-2', health: 'unhealthy', reason: 'XID 79 on GPU 3 (0000:4b:00.0): GPU has fallen off the bus', cordoned: false },
      ],
    });
  });

  it('is refused everywhere when the control plane has none, and does not stand in for the admin token', async () => {
    const other = await startControlPlane({ 'navarch.yaml': 'fleet: gpus\nproviders:\n  local: { type: fake }\n' });
    try {
      const res = await call(`${other.url}/v1/nodes`, { token: READER });
      expect(res).toEqual({ status: 401, body: { error: { code: 'auth.invalid', message: 'invalid admin token' } } });
    } finally {
      await other.close();
    }
  });
});
