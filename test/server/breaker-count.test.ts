/**
 * What the circuit breaker counts: failures within `breaker_window`, whether or not their nodes
 * were replaced already (the failure log in the store), and not spot preemptions (the cloud's
 * word, not a sign the control plane is blind). Each case plays the agents over HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlPlaneEvent } from '../../src/server/index.js';
import { ADMIN, call, startControlPlane, T0, xid, type TestControlPlane } from './helpers.js';

const MIN = 60_000;
const pool = (min: number, extra = ''): string => `provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: ${min}\nmax_nodes: ${min + 2}\n${extra}`;

let t: TestControlPlane;
afterEach(async () => {
  await t.close();
});

async function start(pools: Record<string, string>): Promise<string[]> {
  const files: Record<string, string> = { 'navarch.yaml': 'fleet: gpus\nproviders:\n  local: { type: fake }\n' };
  for (const [name, text] of Object.entries(pools)) files[`pools/${name}.yaml`] = text;
  t = await startControlPlane(files);
  await t.cp.reconcile(true);
  const nodes = (await t.live()).map((i) => i.node);
  for (const id of nodes) {
    const a = t.agent(id);
    await a.register();
    await a.heartbeat();
    await a.report();
  }
  return nodes;
}

const opened = (pool: string): boolean => t.events.some((e) => e.type === 'breaker' && e.transition === 'opened' && e.pool === pool);
const waiting = (node: string): boolean => t.events.some((e) => e.type === 'waiting-ready' && e.node === node);

/** Reports a fatal XID on `node`; when a replacement starts, brings `replacement` up so that it finishes. */
async function fail(node: string, replacement: string): Promise<void> {
  await t.agent(node).report([xid(79)]);
  await t.cp.idle();
  if (!waiting(replacement)) return;
  const fresh = t.agent(replacement, `boot-${replacement}`);
  await fresh.register();
  await fresh.report();
  await t.cp.idle();
}

describe('circuit breaker counting', () => {
  it('opens on two fatal reports 50 ms apart in a two-node pool, though the first node was already replaced', async () => {
    await start({ train: pool(2) });
    await fail('train-1', 'train-3');
    expect((await t.live()).map((i) => i.node)).toEqual(['train-2', 'train-3']);
    t.clock.advance(50);
    await fail('train-2', 'train-4');
    expect(opened('train')).toBe(true);
    // train-2 is withheld, not replaced.
    expect((await t.live()).map((i) => i.node)).toEqual(['train-2', 'train-3']);
    const breakers = await call<{ breakers: Record<string, { open: boolean; message: string }> }>(`${t.url}/v1/breakers`, { token: ADMIN });
    expect(breakers.body.breakers['train']?.message).toMatch(/^pool "train": 2 of 2 nodes \(100%\) turned unhealthy or silent within 10m/);
  });

  it('keeps the old node of a replacement in flight once the breaker opens', async () => {
    await start({ train: pool(2) });
    await t.agent('train-1').report([xid(79)]);
    await t.cp.idle();
    expect(waiting('train-3')).toBe(true);
    t.clock.advance(50);
    await t.agent('train-2').report([xid(79)]);
    await t.cp.idle();
    expect(opened('train')).toBe(true);
    // The replacement comes up, but no node is taken away while the breaker is open.
    await t.agent('train-3', 'boot-3').register();
    await t.agent('train-3', 'boot-3').report();
    await t.cp.idle();
    expect((await t.live()).map((i) => i.node)).toEqual(['train-1', 'train-2', 'train-3']);
    expect(t.cp.lifecycles.inFlight()[0]?.waitingFor).toMatch(/^the circuit breaker to close before removing train-1 \(pool "train": 2 of 2/);
  });

  it('opens the fleet breaker when ten one-node pools fail within the window', async () => {
    const pools = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, pool(1)]));
    await start(pools);
    for (let i = 0; i < 10; i++) await fail(`p${i}-1`, `p${i}-2`);
    expect(opened('*')).toBe(true);
    expect(t.events.filter((e) => e.type === 'breaker' && e.pool !== '*')).toEqual([]);
    // 20% of ten nodes may fail at once: two were replaced; from the third on, nothing is.
    const live = (await t.live()).map((i) => i.node);
    expect(live).toEqual(['p0-2', 'p1-2', 'p2-1', 'p3-1', 'p4-1', 'p5-1', 'p6-1', 'p7-1', 'p8-1', 'p9-1']);
  });

  it('does not open for failures spread over more than the window', async () => {
    await start({ train: pool(2) });
    await fail('train-1', 'train-3');
    t.clock.advance(11 * MIN);
    for (const id of ['train-2', 'train-3']) await t.agent(id, `boot-${id}`).heartbeat();
    await fail('train-2', 'train-4');
    expect(t.events.some((e) => e.type === 'breaker')).toBe(false);
    expect((await t.live()).map((i) => i.node)).toEqual(['train-3', 'train-4']);
  });

  it('does not open for a wave of spot preemptions', async () => {
    await start({ train: pool(5, 'health:\n  disruption_budget: 100%\n').replace('max_nodes: 7', 'max_nodes: 10') });
    const notice = { kind: 'preemption' as const, time: new Date(T0).toISOString(), cloud: 'aws' as const, action: 'terminate' as const };
    for (const id of ['train-1', 'train-2', 'train-3']) await t.agent(id).report([notice]);
    await t.cp.idle();
    await t.cp.reconcile(true);
    expect(t.events.some((e) => e.type === 'breaker')).toBe(false);
    // Each is replaced, all at once: the budget allows it.
    expect(t.events.filter((e): e is Extract<ControlPlaneEvent, { type: 'waiting-ready' }> => e.type === 'waiting-ready').map((e) => `${e.replaces} → ${e.node}`)).toEqual([
      'train-1 → train-6',
      'train-2 → train-7',
      'train-3 → train-8',
    ]);
  });
});
