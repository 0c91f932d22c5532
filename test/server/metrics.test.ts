/**
 * `/metrics` as Prometheus scrapes it, over HTTP, parsed as the exposition format: node counts
 * from the fleet (not only from agents), per-pool gauges, build info, provision outcomes, the
 * process's own metrics in the real server, and the optional scrape token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_VERSION } from '../../agent/packaging/index.js';
import { silentLogger } from '../../src/log/index.js';
import { ManualClock } from '../../src/model/index.js';
import { fakeCloudAdmin } from '../../src/providers/fake/index.js';
import { startServe, type RunningServer } from '../../src/server/index.js';
import { parseExposition, seriesOf, valueOf, type Exposition } from '../helpers/prometheus.js';
import { ADMIN, call, READER, registration, startControlPlane, startServer, T0, type TestControlPlane } from './helpers.js';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FILES = {
  'navarch.yaml': 'fleet: gpus\nproviders:\n  local: { type: fake }\n',
  'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 3\nmax_nodes: 5\n',
};

let t: TestControlPlane | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function scrape(url: string, token?: string): Promise<Exposition> {
  const res = await call<string>(`${url}/metrics`, token ? { token } : {});
  expect(res.status).toBe(200);
  return parseExposition(res.body);
}

describe('/metrics', () => {
  it('counts the nodes of the fleet before any agent registers, their health unknown', async () => {
    t = await startControlPlane(FILES);
    expect(await t.cp.reconcile(true)).toMatchObject({ result: 'applied', actions: 3 });
    const m = await scrape(t.url);
    expect(m.types.get('navarch_nodes')).toBe('gauge');
    expect(seriesOf(m, 'navarch_nodes')).toEqual(['pool=train,health=degraded: 0', 'pool=train,health=healthy: 0', 'pool=train,health=unhealthy: 0', 'pool=train,health=unknown: 3']);
    // The seeds' names, kept for the alert rules that use them.
    expect(valueOf(m, 'navarch_nodes_total', { pool: 'train' })).toBe(3);
    expect(valueOf(m, 'navarch_nodes_healthy', { pool: 'train' })).toBe(0);
    expect(valueOf(m, 'navarch_nodes_unhealthy', { pool: 'train' })).toBe(0);
    // One gauge with a health label, not one gauge per state.
    expect(m.types.has('navarch_nodes_unknown')).toBe(false);
    expect(m.types.has('navarch_nodes_degraded')).toBe(false);
  });

  it("labels a node with its pool from the status file when its agent did not send one", async () => {
    t = await startControlPlane(FILES);
    await t.cp.reconcile(true);
    const { pool: _pool, ...anonymous } = registration({ host: { hostname: 'train-2', agentVersion: '0.1.0', bootId: 'boot-1' } });
    const agent = t.agent('train-2');
    expect((await call(`${t.url}/v1/nodes/train-2/register`, { token: agent.token, body: anonymous })).status).toBe(200);
    await agent.report();
    const m = await scrape(t.url);
    expect(valueOf(m, 'navarch_node_gpu_count', { node: 'train-2', pool: 'train' })).toBe(8);
    expect(seriesOf(m, 'navarch_nodes')).toEqual(['pool=train,health=degraded: 0', 'pool=train,health=healthy: 1', 'pool=train,health=unhealthy: 0', 'pool=train,health=unknown: 2']);
    expect(m.samples.filter((s) => s.labels['pool'] === '')).toEqual([]);
  });

  it("shows each pool's target, bounds and cost, the build, and every provision's outcome", async () => {
    t = await startControlPlane(FILES);
    // The cloud has no room for the first node asked for; the next two are created.
    await fakeCloudAdmin(t.dir).injectFailure({ op: 'provision', error: 'capacity', times: 1 });
    await t.cp.reconcile(true);
    let m = await scrape(t.url);
    expect(seriesOf(m, 'navarch_provisions_total')).toEqual(['provider=local,result=capacity: 1', 'provider=local,result=ok: 2']);
    expect(m.types.get('navarch_provisions_total')).toBe('counter');
    await t.cp.reconcile(true);
    m = await scrape(t.url);
    expect(seriesOf(m, 'navarch_provisions_total')).toEqual(['provider=local,result=capacity: 1', 'provider=local,result=ok: 3']);
    expect(valueOf(m, 'navarch_pool_target_nodes', { pool: 'train' })).toBe(3);
    expect(valueOf(m, 'navarch_pool_min_nodes', { pool: 'train' })).toBe(3);
    expect(valueOf(m, 'navarch_pool_max_nodes', { pool: 'train' })).toBe(5);
    expect(valueOf(m, 'navarch_pool_cost_dollars_per_hour', { pool: 'train' })).toBeCloseTo(3 * 23.92, 6);
    expect(valueOf(m, 'navarch_build_info', { version: AGENT_VERSION, node_version: process.version })).toBe(1);
    // Unit-test registries go without the process metrics.
    expect([...m.types.keys()].filter((n) => n.startsWith('process_') || n.startsWith('nodejs_'))).toEqual([]);
  });

  it('requires the metrics token, or the read-only or admin token, once one is set', async () => {
    const s = await startServer({ metricsToken: 'scrape-token-0123456789', readToken: READER });
    try {
      expect((await call(`${s.url}/metrics`)).status).toBe(401);
      expect((await call(`${s.url}/metrics`, { token: 'wrong-token-0123456789' })).body).toEqual({
        error: { code: 'auth.invalid', message: 'invalid token: /metrics takes the metrics, read-only or admin token' },
      });
      for (const token of ['scrape-token-0123456789', READER, ADMIN]) expect((await scrape(s.url, token)).types.get('navarch_build_info')).toBe('gauge');
      // The metrics token opens nothing else.
      expect((await call(`${s.url}/v1/nodes`, { token: 'scrape-token-0123456789' })).status).toBe(401);
    } finally {
      await s.close();
    }
    const open = await startServer();
    try {
      expect((await call(`${open.url}/metrics`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('/metrics of navarch serve', () => {
  let running: RunningServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await running?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("has the process's own metrics, and takes the token from the variable control_plane.metrics_token_env names", async () => {
    dir = await mkdtemp(join(tmpdir(), 'navarch-metrics-'));
    await mkdir(join(dir, 'pools'));
    await writeFile(join(dir, 'navarch.yaml'), `${FILES['navarch.yaml']}control_plane:\n  metrics_token_env: PROM_SCRAPE_TOKEN\n`);
    const env = { NAVARCH_AUTH_TOKEN: ADMIN, NAVARCH_NODE_SECRET: 'test-node-secret-0123456789', PROM_SCRAPE_TOKEN: 'prom-scrape-token-0123456789' };
    const clock = new ManualClock(T0);
    running = await startServe({ dir, env, clock, logger: silentLogger, listen: { host: '127.0.0.1', port: 0 }, intervalMs: 86_400_000 });
    expect((await call(`${running.address}/metrics`)).status).toBe(401);
    const m = await scrape(running.address, 'prom-scrape-token-0123456789');
    expect(m.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(m.types.get('process_resident_memory_bytes')).toBe('gauge');
    expect(m.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(m.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(valueOf(m, 'navarch_build_info', { version: AGENT_VERSION, node_version: process.version })).toBe(1);
  });

  it('does not start when control_plane.metrics_token_env names a variable that is not set', async () => {
    dir = await mkdtemp(join(tmpdir(), 'navarch-metrics-'));
    await writeFile(join(dir, 'navarch.yaml'), `${FILES['navarch.yaml']}control_plane:\n  metrics_token_env: PROM_SCRAPE_TOKEN\n`);
    const env = { NAVARCH_AUTH_TOKEN: ADMIN, NAVARCH_NODE_SECRET: 'test-node-secret-0123456789' };
    await expect(startServe({ dir, env, clock: new ManualClock(T0), logger: silentLogger, listen: { host: '127.0.0.1', port: 0 } })).rejects.toThrow(
      'control_plane.metrics_token_env names PROM_SCRAPE_TOKEN, which is not set',
    );
  });
});
