/**
 * A fatal XID report leads to a planned, applied replacement on the fake cloud: the node is
 * cordoned and drained (agent commands and webhook events), the replacement is created, and the
 * old node is terminated only once the new one has registered and reported healthy. The test
 * plays both agents over HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { fakeCloudAdmin } from '../../src/providers/fake/index.js';
import { ControlPlane, parseControlPlane, type ControlPlaneEvent } from '../../src/server/index.js';
import { parseStatus } from '../../src/status/index.js';
import { ADMIN, call, startControlPlane, xid, type TestControlPlane } from './helpers.js';

interface Hook {
  url: string;
  posts: Array<{ event: string; node_id: string; pool: string; reason: string; timestamp: string }>;
  /** Nodes the workload system still runs work on; every other node is drained. */
  busy: Set<string>;
  server: Server;
}

/** The workload system's side of the webhook: records events, says which nodes are drained. */
async function webhook(): Promise<Hook> {
  const hook = { posts: [], busy: new Set<string>() } as unknown as Hook;
  hook.server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === 'POST') hook.posts.push(JSON.parse(body) as Hook['posts'][number]);
      const node = decodeURIComponent(req.url?.split('/').pop() ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.method === 'GET' ? { status: { drained: !hook.busy.has(node) } } : { ok: true }));
    });
  });
  await new Promise<void>((r) => hook.server.listen(0, '127.0.0.1', r));
  hook.url = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}`;
  return hook;
}

const isWaiting = (e: ControlPlaneEvent): e is Extract<ControlPlaneEvent, { type: 'waiting-ready' }> => e.type === 'waiting-ready';
const REASON = 'XID 79 on GPU 3 (0000:4b:00.0): GPU has fallen off the bus';

let hook: Hook;
let t: TestControlPlane;
beforeEach(async () => {
  hook = await webhook();
  t = await startControlPlane({
    'navarch.yaml': [
      'fleet: gpus',
      'providers:',
      '  local: { type: fake }',
      'control_plane:',
      '  notifier:',
      '    type: webhook',
      `    url: ${hook.url}/events`,
      `    drain_status_url: ${hook.url}/drain/{node}`,
      '    drain_status_field: status.drained',
      '',
    ].join('\n'),
    'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 2\nmax_nodes: 4\n',
  });
  expect(await t.cp.reconcile(true)).toMatchObject({ result: 'applied', actions: 2 });
  for (const id of ['train-1', 'train-2']) {
    const a = t.agent(id);
    expect((await a.register()).status).toBe(200);
    expect((await a.heartbeat()).status).toBe(200);
    expect(await a.report()).toEqual({ status: 200, body: { stored: true } });
  }
});
afterEach(async () => {
  await t.close();
  await new Promise((r) => hook.server.close(r));
});

describe('replacement after a fatal XID', () => {
  it('cordons, drains, replaces, and terminates the old node only after the new one is healthy', async () => {
    const old = t.agent('train-1');
    await old.report([xid(79)]);

    const waiting = await t.waitFor(isWaiting);
    expect(waiting).toEqual({ type: 'waiting-ready', node: 'train-3', replaces: 'train-1' });
    const start = t.events.find((e) => e.type === 'apply' && e.event.type === 'start' && e.event.action.kind === 'replace');
    expect(start?.type === 'apply' && start.event.action).toMatchObject({ kind: 'replace', node: 'train-3', reason: { code: 'unhealthy', message: REASON } });

    // The old node is cordoned and draining: its agent has the commands, the workload system the events.
    expect(await t.live()).toMatchObject([{ node: 'train-1' }, { node: 'train-2' }, { node: 'train-3' }]);
    expect((await old.heartbeat()).body.commands.map((c) => c.kind)).toEqual(['cordon', 'drain']);
    expect(hook.posts.map((p) => [p.event, p.node_id, p.pool, p.reason])).toEqual([
      ['cordon', 'train-1', 'train', REASON],
      ['drain', 'train-1', 'train', REASON],
    ]);
    expect((await t.store.getNode('train-1'))?.cordoned).toBe(true);

    // Registered but not yet reported: still waiting, nothing terminated.
    const fresh = t.agent('train-3', 'boot-new');
    expect((await fresh.register()).status).toBe(200);
    await fresh.heartbeat();
    expect((await t.live()).map((i) => i.node)).toEqual(['train-1', 'train-2', 'train-3']);

    await fresh.report();
    await t.cp.idle();
    expect((await t.live()).map((i) => i.node)).toEqual(['train-2', 'train-3']);
    const done = t.events.find((e) => e.type === 'reconcile-done' && e.summary.actions === 1);
    expect(done).toMatchObject({ summary: { result: 'applied' } });

    // The next reconcile records the new node's health in the status file.
    await t.cp.reconcile(true);
    const status = parseStatus(await readFile(join(t.dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
    expect(status.nodes.map((n) => [n.name, n.health])).toEqual([
      ['train-2', 'healthy'],
      ['train-3', 'healthy'],
    ]);
    expect(status.events.some((e) => e.action === 'replace' && e.result === 'ok' && e.message.startsWith('replaced train-1 with train-3'))).toBe(true);
    const metrics = await call<string>(`${t.url}/metrics`);
    expect(metrics.body).toContain('navarch_xid_errors_total{node="train-1",pool="train",xid="79"} 1');
    expect(metrics.body).toContain('navarch_replacements_total{pool="train",result="ok"} 1');
    expect(metrics.body).toContain('navarch_commands_issued_total{kind="drain"} 1');
  });

  it('keeps the old node when the replacement fails its boot checks, and backs off', async () => {
    await t.agent('train-1').report([xid(79)]);
    await t.waitFor(isWaiting);
    await t.cp.idle();
    const fresh = t.agent('train-3', 'boot-new');
    await fresh.register({ bootChecks: [{ name: 'gpu-count', status: 'fail', message: 'found 7 of 8 GPUs' }] });
    await t.cp.idle();
    // The failed replacement never became capacity: it is terminated; the old node stays.
    expect((await t.live()).map((i) => i.node)).toEqual(['train-1', 'train-2']);
    const failed = t.events.find((e) => e.type === 'lifecycle' && e.state === 'failed');
    expect(failed).toMatchObject({ id: 'replace:train-3', message: 'replacement train-3 is unhealthy: boot check gpu-count failed: found 7 of 8 GPUs; train-1 is kept' });
    // Broken, train-1 stays cordoned: no work goes back to it.
    expect((await t.store.getNode('train-1'))?.cordoned).toBe(true);
    const next = await t.cp.reconcile(true);
    expect(next?.warnings.some((w) => w.includes('replacements in pool "train" are on hold: the last replacement failed'))).toBe(true);
    const status = parseStatus(await readFile(join(t.dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
    expect(status.events.find((e) => e.action === 'replace' && e.result === 'failed')?.message).toContain('replacement train-3 is unhealthy');
    expect((await call<string>(`${t.url}/metrics`)).body).toContain('navarch_replacements_total{pool="train",result="failed"} 1');
  });

  it('keeps the old node when the replacement never registers within the ready timeout', async () => {
    await t.agent('train-1').report([xid(79)]);
    await t.waitFor(isWaiting);
    await t.cp.idle();
    t.clock.advance(16 * 60_000);
    // The lifecycle's deadline triggers a reconcile by itself; asking for one joins it.
    await t.cp.reconcile(true);
    const failed = t.events.find((e) => e.type === 'lifecycle' && e.state === 'failed');
    expect(failed).toMatchObject({ message: 'replacement train-3 was not ready within 15m (its agent has not registered); train-1 is kept' });
    expect((await t.live()).map((i) => i.node)).toEqual(['train-1', 'train-2']);
  });

  it('keeps the old node when no placement takes the replacement, and the backoff outlives the control plane', async () => {
    await fakeCloudAdmin(t.dir).injectFailure({ op: 'provision', error: 'capacity' });
    await t.agent('train-1').report([xid(79)]);
    await t.cp.idle();
    expect((await t.live()).map((i) => i.node)).toEqual(['train-1', 'train-2']);
    const failed = t.events.find((e) => e.type === 'apply' && e.event.type === 'failed');
    expect(failed?.type === 'apply' && failed.event.type === 'failed' && failed.event.error).toMatch(/^replacement train-3 could not be created: no placement could take train-3: .*; train-1 is kept$/);
    const status = parseStatus(await readFile(join(t.dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
    expect(status.events.filter((e) => e.result === 'failed').map((e) => e.node)).toEqual(['train-3']);
    // Another control plane on the same store (a restart) holds the pool's replacements all the same.
    await t.cp.close();
    const again = new ControlPlane({ target: t.dir, clock: t.clock, logger: silentLogger, env: {}, store: t.store, settings: parseControlPlane(undefined), startedAt: t.clock.now() });
    const next = await again.reconcile(true);
    expect(next?.warnings.some((w) => w.includes('replacements in pool "train" are on hold: the last replacement failed (replacement train-3 could not be created'))).toBe(true);
    expect(next?.actions).toBe(0);
    await again.close();
  });

  it('lets an operator see the node, drain it and put it back', async () => {
    const detail = await call<{ node: { health: string; gpus: number; events: unknown[] } }>(`${t.url}/v1/nodes/train-2`, { token: ADMIN });
    expect(detail.body.node).toMatchObject({ health: 'healthy', gpus: 8 });
    const drained = await call<{ node: { cordoned: boolean } }>(`${t.url}/v1/nodes/train-2/drain`, { token: ADMIN, body: { reason: 'maintenance' } });
    expect(drained.status).toBe(200);
    expect(drained.body.node.cordoned).toBe(true);
    expect(hook.posts.map((p) => `${p.event} ${p.node_id} ${p.reason}`)).toEqual(['cordon train-2 maintenance', 'drain train-2 maintenance']);
    const back = await call<{ node: { cordoned: boolean } }>(`${t.url}/v1/nodes/train-2/uncordon`, { token: ADMIN, method: 'POST' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.node.cordoned).toBe(false);
    expect((await t.agent('train-2').commands()).body.commands.map((c) => c.kind)).toEqual(['cordon', 'drain', 'uncordon']);

    // Back in service, then broken: cordoned and drained again, after the uncordon.
    await t.agent('train-2').report([xid(79)]);
    await t.waitFor(isWaiting);
    expect((await t.agent('train-2').commands()).body.commands.map((c) => c.kind)).toEqual(['cordon', 'drain', 'uncordon', 'cordon', 'drain']);
    expect(hook.posts.map((p) => `${p.event} ${p.node_id}`).slice(-2)).toEqual(['cordon train-2', 'drain train-2']);
  });
});
