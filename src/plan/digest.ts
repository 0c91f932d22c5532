/** Digests that stamp a plan with what it was computed from. Pure. */
import { createHash } from 'node:crypto';
import { stableStringify, type ObservedFleet, type ObservedNode } from '../model/index.js';

/** Collapses cloud states that do not change a plan's decisions (pending and running both count). */
function planState(n: ObservedNode): string {
  return n.state === 'pending' || n.state === 'running' ? 'live' : n.state;
}

/**
 * Digest of the observed facts a plan depends on. A node moving from pending to running does not
 * change it; a node appearing, vanishing, failing, changing health or labels does.
 *
 * Nodes are hashed field by field in a fixed order instead of through a sorted deep copy: this runs
 * on every plan and apply, and at 100k nodes the copy cost more than the plan itself.
 */
export function observedDigest(observed: ObservedFleet): string {
  const hash = createHash('sha256');
  const nodes = [...observed.nodes].sort((a, b) =>
    a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0,
  );
  for (const n of nodes) {
    const labels = Object.keys(n.labels)
      .sort()
      .map((k) => [k, n.labels[k]]);
    hash.update(
      JSON.stringify([n.instanceId, n.provider, n.name, n.pool, n.region, n.zone ?? null, n.instanceType, n.spot, planState(n), n.health, labels]),
    );
    hash.update('\n');
  }
  hash.update(stableStringify({ pools: observed.pools, gaps: observed.gaps }));
  // What a lifecycle in flight owns decides what a plan may do with it (its step does not).
  const lifecycles = (observed.lifecycles ?? []).map((l) => [l.id, l.pool, l.old, l.new ?? null, l.health]).sort();
  if (lifecycles.length > 0) hash.update(JSON.stringify(lifecycles));
  return `sha256:${hash.digest('hex')}`;
}
