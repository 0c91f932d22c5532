/**
 * The status file says what each node's agent told the control plane: its version, when it was
 * last heard from, and how each of its GPUs is. A node whose agent never reported says nothing of
 * the kind (it is unknown, not healthy).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStatus } from '../../src/status/index.js';
import { startControlPlane, T0, xid, type TestControlPlane } from './helpers.js';

let t: TestControlPlane;
beforeEach(async () => {
  t = await startControlPlane({
    'navarch.yaml': 'fleet: gpus\nproviders:\n  local: { type: fake }\n',
    'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 2\nmax_nodes: 2\n',
  });
  await t.cp.reconcile(true);
});
afterEach(async () => {
  await t.close();
});

const status = async () => parseStatus(await readFile(join(t.dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');

describe('agent facts in the status file', () => {
  it("records each node's agent version, last contact and GPUs, and nothing for a node without an agent", async () => {
    const a = t.agent('train-1');
    await a.register();
    t.clock.advance(30_000);
    await a.report([xid(48, 3)]);
    await t.cp.reconcile(true);

    const [one, two] = (await status()).nodes;
    expect(one).toMatchObject({
      name: 'train-1',
      agent_version: '0.1.0',
      last_seen: new Date(T0 + 30_000).toISOString(),
      gpu_health: { gpus: 8, healthy: 7, faults: [{ gpu: 3, reason: 'XID 48' }] },
      launched_at: expect.any(String),
      private_ip: expect.stringMatching(/^10\./),
    });
    expect(two?.name).toBe('train-2');
    expect(two).not.toHaveProperty('agent_version');
    expect(two).not.toHaveProperty('last_seen');
    expect(two).not.toHaveProperty('gpu_health');

    // A clean report leaves the GPU that needs a reset named until the node reboots.
    await a.report();
    await t.cp.reconcile(true);
    expect((await status()).nodes[0]?.gpu_health).toEqual({ gpus: 8, healthy: 7, faults: [{ gpu: 3, reason: 'XID 48' }] });
    await t.agent('train-1', 'boot-2').register();
    await t.cp.reconcile(true);
    expect((await status()).nodes[0]?.gpu_health).toEqual({ gpus: 8, healthy: 8 });
  });
});
