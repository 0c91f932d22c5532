/**
 * The action's `server` input against a real control plane on 127.0.0.1 sharing the fleet's fake
 * cloud: a pull request's plan sees each node as the control plane's planner did, read with the
 * read-only token, so the comment shows the replacement the control plane would make and why.
 * A control plane that cannot be reached, or refuses the token, leaves the plan without node
 * health, and the comment says so. The token appears nowhere.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudEnv, fleetFiles } from '../helpers/git-fixtures.js';
import { READER, startControlPlane, xid, type TestControlPlane } from '../server/helpers.js';
import { poolYaml, startBench, type Bench, type Fleet } from './fleet.js';

const REASON = 'XID 79 on GPU 3 (0000:4b:00.0): GPU has fallen off the bus';
// On main the control plane only watches; the pull request turns automatic replacement on.
const WATCHING = { 'pools/train.yaml': poolYaml(2, 'health: { auto_replace: false }\n') };

let bench: Bench;
let f: Fleet;
let cp: TestControlPlane;
beforeAll(async () => {
  bench = await startBench();
  f = await bench.fleet({ extra: WATCHING });
  cp = await startControlPlane(fleetFiles(f.stateFile, { extra: WATCHING }), { readToken: READER, env: fakeCloudEnv(f.stateFile) });
  expect(await cp.cp.reconcile(true)).toMatchObject({ result: 'applied', actions: 2 });
  for (const id of ['train-1', 'train-2']) {
    const a = cp.agent(id);
    await a.register();
    await a.heartbeat();
    await a.report();
  }
  await cp.agent('train-2').report([xid(79)]);
  await cp.cp.idle();
  expect(await cp.cp.reconcile(true)).toMatchObject({ actions: 0 });
});
afterAll(async () => {
  await cp.close();
  await bench.close();
});

/** A port on 127.0.0.1 that nothing listens on any more: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The action's runs and requests never carry the read-only token. */
function expectNoToken(): void {
  for (const r of bench.runs) for (const text of [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)]) expect(text).not.toContain(READER);
  for (const req of bench.gh.requests) expect(JSON.stringify(req.body ?? {})).not.toContain(READER);
}

describe('the server input', () => {
  it("shows the replacement the control plane would make, with its reason, from the control plane's facts", async () => {
    bench.gh.openPull(31);
    const checkout = await f.pullCheckout({ 'pools/train.yaml': poolYaml(2) });
    const run = await f.plan(31, checkout, { server: cp.url, 'server-token': READER });
    expect(run.failure).toBeUndefined();
    expect(run.code).toBe(0);
    const [comment] = bench.gh.commentsOn(31);
    expect(comment!.body).toContain('**Plan: 1 to add, 0 to change, 1 to destroy.**');
    expect(comment!.body).toMatch(/^-\/\+ train-2 → train-3 /m);
    expect(comment!.body).toContain(REASON);
    expect(comment!.body).toContain(`> [!NOTE]\n> Node health from the control plane at ${cp.url}, as its last reconcile judged it (2026-01-01T00:00:00.000Z).`);
    expect(run.summary).toContain(REASON);
    expect(JSON.parse(run.outputs['plan-file-text'] ?? '{}')).toMatchObject({ summary: { add: 1, destroy: 1 } });

    // Without the server input the same pull request's plan knows nothing of train-2's health.
    const blind = await f.plan(31, checkout);
    expect(blind.code).toBe(0);
    expect(comment!.body).toContain('**No changes.**');
    expectNoToken();
  });

  it('takes the token from NAVARCH_READ_TOKEN in the environment as well', async () => {
    bench.gh.openPull(32);
    const run = await f.plan(32, await f.pullCheckout({ 'pools/train.yaml': poolYaml(2) }), { server: cp.url }, undefined, { NAVARCH_READ_TOKEN: READER });
    expect(run.code).toBe(0);
    expect(bench.gh.commentsOn(32)[0]!.body).toContain(REASON);
    expectNoToken();
  });

  it('plans without node health, saying so, when the control plane cannot be reached or refuses the token', async () => {
    bench.gh.openPull(33);
    const checkout = await f.pullCheckout({ 'pools/train.yaml': poolYaml(2) });
    const port = await closedPort();
    const down = await f.plan(33, checkout, { server: `http://127.0.0.1:${port}`, 'server-token': READER });
    expect(down.failure).toBeUndefined();
    expect(down.code).toBe(0);
    const [comment] = bench.gh.commentsOn(33);
    expect(comment!.body).toContain('**No changes.**');
    expect(comment!.body).toContain(
      `> [!WARNING]\n> Planned without node health: the control plane at http://127.0.0.1:${port} could not be reached (connect ECONNREFUSED 127.0.0.1:${port}). ` +
        'The plan shows no replacement the control plane would make for a node\'s health.',
    );
    expect(down.commands.some((c) => c.command === 'warning' && c.message.startsWith('Planned without node health'))).toBe(true);

    const refused = await f.plan(33, checkout, { server: cp.url, 'server-token': 'not-the-read-token-0123456789' });
    expect(refused.code).toBe(0);
    expect(comment!.body).toContain(
      `Planned without node health: the control plane at ${cp.url} refused the read-only token (HTTP 401 auth.invalid: invalid token: this route takes the admin or the read-only token).`,
    );
    expect(comment!.body).toContain('**No changes.**');
    expectNoToken();
  });

  it('refuses a server without a token before doing anything', async () => {
    const before = bench.gh.requests.length;
    const run = await f.plan(34, await f.pullCheckout({}), { server: cp.url });
    expect(run.code).toBe(1);
    expect(run.failure).toBe(
      'invalid inputs:\n  - input "server" needs the control plane\'s read-only token: set server-token (e.g. ${{ secrets.NAVARCH_READ_TOKEN }}) or NAVARCH_READ_TOKEN in the environment',
    );
    expect(bench.gh.requests.length).toBe(before);
  });
});
