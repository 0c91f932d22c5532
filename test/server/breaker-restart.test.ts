/**
 * An open circuit breaker stays open across a restart of the control plane while its nodes are
 * still silent: the whole serve stack (store lock, store, loop, HTTP server) is stopped and started
 * again on the same store file, on an injected clock, and the breaker neither closes nor dips in
 * /metrics. It closes once the nodes are heard from again.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { ManualClock } from '../../src/model/index.js';
import { nodeToken, startServe, type ControlPlaneEvent, type RunningServer } from '../../src/server/index.js';
import { call, T0, TestAgent } from './helpers.js';

const ENV = { NAVARCH_AUTH_TOKEN: 'breaker-admin-token-0123456789', NAVARCH_NODE_SECRET: 'breaker-node-secret-0123456789' };
const NODES = ['train-1', 'train-2', 'train-3', 'train-4', 'train-5'];
const MIN = 60_000;

let dir: string;
let clock: ManualClock;
let events: ControlPlaneEvent[];
let running: RunningServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-breaker-restart-'));
  await mkdir(join(dir, 'pools'));
  await writeFile(join(dir, 'navarch.yaml'), 'fleet: gpus\nproviders:\n  local: { type: fake }\n');
  await writeFile(join(dir, 'pools/train.yaml'), 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 5\nmax_nodes: 8\n');
  clock = new ManualClock(T0);
  events = [];
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** `navarch serve --dir` in this process, on the test's clock; its first reconcile has finished. */
async function serve(): Promise<RunningServer> {
  running = await startServe({ dir, env: ENV, clock, logger: silentLogger, listen: { host: '127.0.0.1', port: 0 }, intervalMs: 24 * 60 * MIN, onEvent: (e) => events.push(e) });
  await running.controlPlane.idle();
  return running;
}

const agent = (s: RunningServer, id: string): TestAgent => new TestAgent(s.address, id, nodeToken(ENV.NAVARCH_NODE_SECRET, id));
const metric = async (s: RunningServer): Promise<string> => (await call<string>(`${s.address}/metrics`)).body;
const transitions = (): string[] => events.flatMap((e) => (e.type === 'breaker' && e.pool === 'train' ? [e.transition] : []));

describe('circuit breaker across a restart', () => {
  it('stays open while the nodes are silent, and in /metrics from the first scrape', async () => {
    const first = await serve();
    for (const id of NODES) {
      const a = agent(first, id);
      expect((await a.register()).status).toBe(200);
      await a.heartbeat();
      await a.report();
    }
    clock.advance(6 * MIN);
    await first.controlPlane.reconcile(true);
    expect(transitions()).toEqual(['opened']);
    expect(await metric(first)).toContain('navarch_circuit_breaker_open{pool="train"} 1');
    await first.close();

    // Down for a minute; the nodes stay silent.
    clock.advance(MIN);
    const second = await startServe({ dir, env: ENV, clock, logger: silentLogger, listen: { host: '127.0.0.1', port: 0 }, intervalMs: 24 * 60 * MIN, onEvent: (e) => events.push(e) });
    running = second;
    // The first scrape, whether or not the first reconcile has finished yet.
    expect(await metric(second)).toContain('navarch_circuit_breaker_open{pool="train"} 1');
    await second.controlPlane.idle();
    expect(await metric(second)).toContain('navarch_circuit_breaker_open{pool="train"} 1');
    const breakers = await call<{ breakers: Record<string, { open: boolean }> }>(`${second.address}/v1/breakers`, { token: ENV.NAVARCH_AUTH_TOKEN });
    expect(breakers.body.breakers['train']?.open).toBe(true);

    // A heartbeat timeout after the restart: still the same open breaker, never closed in between.
    clock.advance(6 * MIN);
    const summary = await second.controlPlane.reconcile(true);
    expect(summary?.actions).toBe(0);
    expect(transitions()).toEqual(['opened']);
    expect(await metric(second)).toContain('navarch_circuit_breaker_open{pool="train"} 1');

    // The nodes come back: it closes by itself.
    for (const id of NODES) await agent(second, id).heartbeat();
    await second.controlPlane.reconcile(true);
    expect(transitions()).toEqual(['opened', 'closed']);
    expect(await metric(second)).toContain('navarch_circuit_breaker_open{pool="train"} 0');
  });
});
