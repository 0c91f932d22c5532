/**
 * A replacement waits for its new node (here one that never registers) without holding anything
 * up: the interval loop applies another pool's scale-up within one interval, `?wait=true` answers
 * with the pass it waited for, and `/v1/fleet` is the status of that pass. On an injected clock.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlPlaneEvent } from '../../src/server/index.js';
import type { FleetStatus } from '../../src/model/index.js';
import { ADMIN, call, startControlPlane, xid, type TestControlPlane } from './helpers.js';

const POOL = (min: number): string => `provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: ${min}\nmax_nodes: 4\n`;
const INTERVAL = 60_000;

let t: TestControlPlane;
let stop: AbortController;
let loop: Promise<void>;
beforeEach(async () => {
  t = await startControlPlane({
    'navarch.yaml': 'fleet: gpus\nproviders:\n  local: { type: fake }\ncontrol_plane:\n  interval: 1m\n',
    'pools/train.yaml': POOL(2),
    'pools/infer.yaml': POOL(1),
  });
  stop = new AbortController();
  loop = t.cp.run(stop.signal);
  await t.cp.idle();
  for (const id of ['infer-1', 'train-1', 'train-2']) {
    const a = t.agent(id);
    await a.register();
    await a.heartbeat();
    await a.report();
  }
});
afterEach(async () => {
  stop.abort();
  await loop;
  await t.close();
});

/** The next event matching `pred` from now on. */
function next<E extends ControlPlaneEvent>(pred: (e: ControlPlaneEvent) => e is E): Promise<E> {
  const from = t.events.length;
  return t.waitFor((e): e is E => t.events.indexOf(e) >= from && pred(e));
}
const isDone = (e: ControlPlaneEvent): e is Extract<ControlPlaneEvent, { type: 'reconcile-done' }> => e.type === 'reconcile-done';

describe('a replacement waiting for a node that never registers', () => {
  it('stalls nothing: another pool scales up within one interval, ?wait=true answers, /v1/fleet is current', { timeout: 30_000 }, async () => {
    await t.agent('train-1').report([xid(79)]);
    await t.waitFor((e): e is Extract<ControlPlaneEvent, { type: 'waiting-ready' }> => e.type === 'waiting-ready');
    // The pass that started the replacement is over: nothing waits for train-3 to boot.
    await t.cp.idle();
    expect((await t.live()).map((i) => i.node)).toEqual(['infer-1', 'train-1', 'train-2', 'train-3']);

    // Someone scales infer up; the loop's next interval applies it while train-3 is still awaited.
    await writeFile(join(t.dir, 'pools/infer.yaml'), POOL(2));
    const applied = next(isDone);
    t.clock.advance(INTERVAL);
    expect((await applied).summary).toMatchObject({ result: 'applied', actions: 1 });
    expect((await t.live()).map((i) => i.node)).toEqual(['infer-1', 'infer-2', 'train-1', 'train-2', 'train-3']);

    // ?wait=true waits for a pass, not for a node: it answers with that pass's outcome.
    const reply = await call<{ reconcile: { result: string; actions: number } }>(`${t.url}/v1/reconcile?wait=true`, { token: ADMIN, method: 'POST' });
    expect(reply).toMatchObject({ status: 200, body: { reconcile: { result: 'no-changes', actions: 0 } } });

    // /v1/fleet is the status of the last pass: the new infer node, and the replacement where it stands.
    const fleet = await call<{ status: FleetStatus }>(`${t.url}/v1/fleet`, { token: ADMIN });
    expect(fleet.body.status.nodes.map((n) => n.name)).toEqual(['infer-1', 'infer-2', 'train-1', 'train-2', 'train-3']);
    expect(fleet.body.status.nodes.find((n) => n.name === 'train-1')?.lifecycle).toMatchObject({
      id: 'replace:train-3',
      role: 'old',
      peer: 'train-3',
      state: 'waiting',
      waiting_for: 'train-3: its agent has not registered',
    });
    expect(fleet.body.status.nodes.find((n) => n.name === 'train-3')?.lifecycle).toMatchObject({ role: 'new', peer: 'train-1' });
    // And so does the node's own view.
    const detail = await call<{ node: { lifecycle: unknown } }>(`${t.url}/v1/nodes/train-1`, { token: ADMIN });
    expect(detail.body.node.lifecycle).toMatchObject({ id: 'replace:train-3', role: 'old', state: 'waiting', health: true });
    expect((await call<{ node: { lifecycle: unknown } }>(`${t.url}/v1/nodes/train-2`, { token: ADMIN })).body.node.lifecycle).toBeNull();
  });
});
