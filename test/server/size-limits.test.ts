/**
 * An unattended control plane has nobody to answer `--allow-large`: each reconcile creates at
 * most `safety.max_create` nodes and never grows a pool past `safety.max_nodes_per_pool`, and says
 * why in the reconcile's warnings (what `navarch serve` prints).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from './helpers.js';

let t: TestControlPlane | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const files = {
  'navarch.yaml': 'fleet: gpus\nproviders:\n  local: { type: fake }\nsafety:\n  max_nodes_per_pool: 3\n  max_create: 2\n',
  'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 100000\nmax_nodes: 100000\n',
};

describe('size limits in the control plane', () => {
  it('creates up to safety.max_create per reconcile, stops at safety.max_nodes_per_pool, and says why', async () => {
    t = await startControlPlane(files);
    const first = await t.cp.reconcile(true);
    expect(first).toMatchObject({ result: 'applied', actions: 2 });
    expect(first?.warnings).toEqual([
      'pool "train" would grow to 100000 nodes, more than safety.max_nodes_per_pool (3); 99997 nodes not created (the control plane never goes past the limit: apply with --allow-large, or start navarch serve with --allow-large)',
      'the plan creates 3 nodes, more than safety.max_create (2); 1 node left for a later reconcile (apply with --allow-large, or start navarch serve with --allow-large, to create them at once)',
    ]);
    expect(await t.live()).toHaveLength(2);

    const second = await t.cp.reconcile(true);
    expect(second).toMatchObject({ result: 'applied', actions: 1 });
    expect(await t.live()).toHaveLength(3);

    const third = await t.cp.reconcile(true);
    expect(third).toMatchObject({ actions: 0 });
    expect(third?.warnings).toEqual([
      'pool "train" would grow to 100000 nodes, more than safety.max_nodes_per_pool (3); 99997 nodes not created (the control plane never goes past the limit: apply with --allow-large, or start navarch serve with --allow-large)',
    ]);
    expect(await t.live()).toHaveLength(3);
  });
});
