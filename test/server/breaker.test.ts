/**
 * A control plane that loses every heartbeat at once (its own network failed) must not replace the
 * fleet: the breaker opens, nothing is terminated, and the alert shows in /metrics, the status file
 * and the API. It closes by itself when the heartbeats come back.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStatus } from '../../src/status/index.js';
import { ADMIN, call, startControlPlane, type TestControlPlane } from './helpers.js';

const NODES = ['train-1', 'train-2', 'train-3', 'train-4', 'train-5'];
const MIN = 60_000;

let t: TestControlPlane;
beforeEach(async () => {
  t = await startControlPlane({
    'navarch.yaml': 'fleet: gpus\nproviders:\n  local: { type: fake }\n',
    'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 5\nmax_nodes: 8\n',
  });
  await t.cp.reconcile(true);
  for (const id of NODES) {
    const a = t.agent(id);
    await a.register();
    await a.heartbeat();
    await a.report();
  }
});
afterEach(async () => {
  await t.close();
});

async function status() {
  return parseStatus(await readFile(join(t.dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
}

describe('circuit breaker', () => {
  it('opens on a mass heartbeat loss and terminates nothing', async () => {
    const before = await t.live();
    t.clock.advance(6 * MIN);
    const summary = await t.cp.reconcile(true);
    expect(summary?.actions).toBe(0);
    expect(summary?.warnings[0]).toContain('pool "train": 5 of 5 nodes (100%) turned unhealthy or silent within 10m, more than the 20% breaker allows');
    expect(await t.live()).toEqual(before);
    expect(t.events.some((e) => e.type === 'breaker' && e.transition === 'opened' && e.pool === 'train')).toBe(true);

    const metrics = await call<string>(`${t.url}/metrics`);
    expect(metrics.body).toContain('navarch_circuit_breaker_open{pool="train"} 1');
    // Metrics tell the truth about each node; only the planner is kept from acting on it.
    expect(metrics.body).toContain('navarch_nodes_unhealthy{pool="train"} 5');

    const s = await status();
    expect(s.pools['train']?.conditions.find((c) => c.type === 'RemediationHalted')).toMatchObject({ status: 'True', reason: 'CircuitBreakerOpen' });
    expect(s.nodes.map((n) => n.health)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    expect(s.nodes[0]?.health_reason).toMatch(/^withheld by the circuit breaker \(was: no heartbeat for 6m/);

    const fleet = await call<{ breakers: Record<string, { open: boolean }> }>(`${t.url}/v1/fleet`, { token: ADMIN });
    expect(fleet.body.breakers['train']?.open).toBe(true);
    // What a plan made elsewhere (a pull request's) is given: the planner's view, after the breaker.
    const facts = await call<{ nodes: Array<{ name: string; health: string; reason: string | null }> }>(`${t.url}/v1/facts`, { token: ADMIN });
    expect(facts.body.nodes.map((n) => `${n.name} ${n.health}`)).toEqual(NODES.map((n) => `${n} unknown`));
    expect(facts.body.nodes[0]?.reason).toMatch(/^withheld by the circuit breaker \(was: no heartbeat for 6m/);

    // Still open later: silence that lasts is no reason to start replacing.
    t.clock.advance(60 * MIN);
    expect((await t.cp.reconcile(true))?.actions).toBe(0);
    expect(await t.live()).toEqual(before);

    // Heartbeats come back: the breaker closes by itself and nothing was lost.
    for (const id of NODES) await t.agent(id).heartbeat();
    await t.cp.reconcile(true);
    expect(t.events.some((e) => e.type === 'breaker' && e.transition === 'closed')).toBe(true);
    expect((await call<string>(`${t.url}/metrics`)).body).toContain('navarch_circuit_breaker_open{pool="train"} 0');
    expect((await status()).pools['train']?.conditions.find((c) => c.type === 'RemediationHalted')?.status).toBe('False');
    expect(await t.live()).toEqual(before);
  });

  it('does not open for one silent node, which is replaced', async () => {
    t.clock.advance(6 * MIN);
    for (const id of NODES.slice(1)) await t.agent(id).heartbeat();
    const summary = await t.cp.reconcile(false);
    expect(summary).toBeUndefined();
    await t.waitFor((e): e is Extract<typeof e, { type: 'waiting-ready' }> => e.type === 'waiting-ready');
    const fresh = t.agent('train-6', 'boot-6');
    await fresh.register();
    await fresh.report();
    await t.cp.idle();
    expect((await t.live()).map((i) => i.node)).toEqual(['train-2', 'train-3', 'train-4', 'train-5', 'train-6']);
    expect(t.events.some((e) => e.type === 'breaker')).toBe(false);
  });

  it('after an operator reset, replaces the silent nodes within the disruption budget', async () => {
    t.clock.advance(6 * MIN);
    await t.cp.reconcile(true);
    const reset = await call<{ breaker: { open: boolean } }>(`${t.url}/v1/pools/train/breaker/reset`, { token: ADMIN, method: 'POST' });
    expect(reset.body.breaker.open).toBe(false);
    await t.waitFor((e): e is Extract<typeof e, { type: 'waiting-ready' }> => e.type === 'waiting-ready');
    // The budget (10% of 5 nodes, rounded up: one) lets one replacement be in flight at a time.
    expect((await t.live()).map((i) => i.node)).toEqual(['train-1', 'train-2', 'train-3', 'train-4', 'train-5', 'train-6']);
    expect(t.cp.lifecycles.inFlight().map((l) => `${l.old} → ${l.new}`)).toEqual(['train-1 → train-6']);
    await t.agent('train-6', 'boot-6').register();
    await t.agent('train-6', 'boot-6').report();
    await t.cp.idle();
    // train-1 is replaced; the pass that finished it starts the next one.
    expect((await t.live()).map((i) => i.node)).toEqual(['train-2', 'train-3', 'train-4', 'train-5', 'train-6', 'train-7']);
    expect(t.cp.lifecycles.inFlight().map((l) => `${l.old} → ${l.new}`)).toEqual(['train-2 → train-7']);
  });
});
