/**
 * Hand-built plans for the renderers' and the plan file's tests: one per situation a reviewer meets
 * (nothing to do, scaling, a removed pool tripping the destroy guard, replacements, label updates,
 * multi-cloud fallbacks, a protected pool). Counts in `summary` are derived from the actions with
 * Terraform's rule (a replace adds one and destroys one) so the fixtures cannot disagree with it.
 */
import { digestOf, PLAN_FORMAT_VERSION } from '../model/index.js';
import type { Action, CostSummary, GuardViolation, NodeRef, PlacementCandidate, Plan, PoolPlan, ProviderType, UnknownPool } from '../model/index.js';

export const H100X8 = 23.92;
export const H100X1 = 2.49;

/** A deterministic 40-hex commit id from a seed. */
export function fakeCommit(seed: string): string {
  return digestOf(`commit:${seed}`).slice('sha256:'.length, 'sha256:'.length + 40);
}

/** A placement on the embedded fake cloud (provider `local`, region `local-1`) unless told otherwise. */
export function placement(over: Partial<PlacementCandidate> = {}): PlacementCandidate {
  return {
    provider: 'local',
    providerType: 'fake' as ProviderType,
    region: 'local-1',
    zones: [],
    instanceType: 'f1.8xh100',
    priority: 0,
    spot: false,
    pricePerHour: H100X8,
    ...over,
  };
}

/** An existing node of pool `pool` numbered `index`, on the fake cloud. */
export function nodeRef(pool: string, index: number, over: Partial<NodeRef> = {}): NodeRef {
  return {
    name: `${pool}-${index}`,
    pool,
    provider: 'local',
    region: 'local-1',
    zone: undefined,
    instanceType: 'f1.8xh100',
    instanceId: `fake-${String(index + 1).padStart(6, '0')}`,
    spot: false,
    pricePerHour: H100X8,
    ...over,
  };
}

function base(kind: Action['kind'], pool: string, node: string, code: Action['reason']['code'], message: string): Action {
  return {
    id: `${kind}:${node}`,
    kind,
    pool,
    node,
    reason: { code, message },
    placements: [],
    existing: undefined,
    order: undefined,
    labels: undefined,
    costDelta: 0,
  };
}

export function createAction(pool: string, node: string, message: string, placements = [placement()]): Action {
  return { ...base('create', pool, node, 'below-target', message), placements, costDelta: placements[0]?.pricePerHour ?? 0 };
}

export function destroyAction(existing: NodeRef, code: Action['reason']['code'], message: string): Action {
  return { ...base('destroy', existing.pool, existing.name, code, message), existing, costDelta: -(existing.pricePerHour ?? 0) };
}

export function replaceAction(
  existing: NodeRef,
  node: string,
  code: Action['reason']['code'],
  message: string,
  placements = [placement()],
  order: Action['order'] = 'create-before-destroy',
): Action {
  const costDelta = (placements[0]?.pricePerHour ?? 0) - (existing.pricePerHour ?? 0);
  return { ...base('replace', existing.pool, node, code, message), existing, placements, order, costDelta };
}

export function updateAction(existing: NodeRef, before: Record<string, string>, after: Record<string, string>): Action {
  return { ...base('update', existing.pool, existing.name, 'labels-changed', 'pool labels changed'), existing, labels: { before, after } };
}

export function poolPlan(name: string, over: Partial<PoolPlan> = {}): PoolPlan {
  return { name, change: 'none', patch: [], nodesBefore: 2, nodesAfter: 2, costBefore: 2 * H100X8, costAfter: 2 * H100X8, protect: false, ...over };
}

/** Cost with everything on-demand unless a split is given. */
export function cost(before: number, after: number, over: Partial<CostSummary> = {}): CostSummary {
  return { before, after, delta: after - before, onDemand: { before, after }, spot: { before: 0, after: 0 }, unpriced: 0, ...over };
}

/** Assembles a plan and derives `summary` from the actions. */
export function buildPlan(parts: {
  actions?: Action[];
  pools: PoolPlan[];
  cost: CostSummary;
  guards?: GuardViolation[];
  unknown?: UnknownPool[];
  warnings?: string[];
  fleet?: string;
  commit?: string | null;
}): Plan {
  const actions = parts.actions ?? [];
  const count = (...kinds: Action['kind'][]) => actions.filter((a) => kinds.includes(a.kind)).length;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    fleet: parts.fleet ?? 'demo',
    desired: { commit: parts.commit === undefined ? fakeCommit('desired') : parts.commit, digest: digestOf('desired') },
    observed: { digest: digestOf('observed') },
    createdAt: '2025-11-03T09:30:00.000Z',
    actions,
    pools: parts.pools,
    summary: { add: count('create', 'replace'), change: count('update'), destroy: count('destroy', 'replace') },
    cost: parts.cost,
    guards: parts.guards ?? [],
    unknown: parts.unknown ?? [],
    warnings: parts.warnings ?? [],
  };
}

/** Nothing to do: two healthy nodes in `train`. */
export function noopPlan(): Plan {
  return buildPlan({ pools: [poolPlan('train')], cost: cost(2 * H100X8, 2 * H100X8) });
}

const MIN_2_TO_4 = [
  { op: 'test' as const, path: '/min_nodes', value: 2 },
  { op: 'replace' as const, path: '/min_nodes', value: 4 },
];

/** `min_nodes` raised from 2 to 4. */
export function scaleUpPlan(): Plan {
  return buildPlan({
    actions: [createAction('train', 'train-2', 'pool has 2 of 4 nodes'), createAction('train', 'train-3', 'pool has 3 of 4 nodes')],
    pools: [poolPlan('train', { change: 'update', patch: MIN_2_TO_4, nodesAfter: 4, costAfter: 4 * H100X8 })],
    cost: cost(2 * H100X8, 4 * H100X8),
  });
}

/** `nodes` lowered from 4 to 2: the highest-numbered nodes go. */
export function scaleDownPlan(): Plan {
  return buildPlan({
    actions: [
      destroyAction(nodeRef('train', 3), 'above-target', 'pool has 4 nodes, 2 wanted'),
      destroyAction(nodeRef('train', 2), 'above-target', 'pool has 3 nodes, 2 wanted'),
    ],
    pools: [
      poolPlan('train', {
        change: 'update',
        patch: [{ op: 'test', path: '/nodes', value: 4 }, { op: 'replace', path: '/nodes', value: 2 }],
        nodesBefore: 4,
        costBefore: 4 * H100X8,
      }),
    ],
    cost: cost(4 * H100X8, 2 * H100X8),
  });
}

/** `pools/old.yaml` deleted: all four nodes would go, which the destroy guard stops. */
export function poolRemovalPlan(): Plan {
  const actions = [0, 1, 2, 3].map((i) => destroyAction(nodeRef('old', i), 'pool-removed', 'pool "old" was removed'));
  return buildPlan({
    actions,
    pools: [
      poolPlan('old', { change: 'delete', nodesBefore: 4, nodesAfter: 0, costBefore: 4 * H100X8, costAfter: 0 }),
      poolPlan('train'),
    ],
    cost: cost(6 * H100X8, 2 * H100X8),
    guards: [
      {
        rule: 'destroy-share',
        pool: 'old',
        message: 'pool "old": destroys 4 of 4 nodes (100%), more than the 50% allowed',
        destroying: 4,
        total: 4,
        limitPercent: 50,
      },
    ],
  });
}

/** The pool's type changed from 1×H100 to 8×H100: each node is replaced, new one first. */
export function replaceSpecPlan(): Plan {
  const old = nodeRef('train', 2, { instanceType: 'f1.1xh100', pricePerHour: H100X1 });
  return buildPlan({
    actions: [
      replaceAction(old, 'train-5', 'spec-changed', 'instance type changed: f1.1xh100 is no longer a placement of pool "train"'),
    ],
    pools: [
      poolPlan('train', {
        change: 'update',
        patch: [{ op: 'test', path: '/instance_type', value: 'f1.1xh100' }, { op: 'replace', path: '/instance_type', value: 'f1.8xh100' }],
        nodesBefore: 1,
        nodesAfter: 1,
        costBefore: H100X1,
        costAfter: H100X8,
      }),
    ],
    cost: cost(H100X1, H100X8),
  });
}

export const XID_79 = 'XID 79 on GPU 3 (0000:3b:00.0): GPU has fallen off the bus';

/** A node's GPU fell off the bus; the pool is at max, so the old node goes first. */
export function replaceUnhealthyPlan(): Plan {
  return buildPlan({
    actions: [replaceAction(nodeRef('train', 1), 'train-4', 'unhealthy', XID_79, [placement()], 'destroy-before-create')],
    pools: [poolPlan('train')],
    cost: cost(2 * H100X8, 2 * H100X8),
  });
}

/** The pool's `team` label changed; nodes are retagged in place. */
export function labelUpdatePlan(): Plan {
  const labels = (team: string) => ({ team, env: 'research' });
  return buildPlan({
    actions: [0, 1].map((i) => updateAction(nodeRef('train', i), labels('a'), labels('b'))),
    pools: [
      poolPlan('train', {
        change: 'update',
        patch: [{ op: 'test', path: '/labels/team', value: 'a' }, { op: 'replace', path: '/labels/team', value: 'b' }],
      }),
    ],
    cost: cost(2 * H100X8, 2 * H100X8),
  });
}

/** A new pool whose node may go to AWS, GCP or Lambda, in that order. */
export function multiCloudCreatePlan(): Plan {
  const placements = [
    placement({ provider: 'aws', providerType: 'aws', region: 'us-east-1', zones: ['us-east-1a'], instanceType: 'p5.48xlarge', pricePerHour: 98.32 }),
    placement({ provider: 'gcp', providerType: 'gcp', region: 'us-central1', instanceType: 'a3-highgpu-8g', priority: 1, pricePerHour: 88.25 }),
    placement({ provider: 'lambda', providerType: 'lambda', region: 'us-east-1', instanceType: 'gpu_8x_h100_sxm5', priority: 2, pricePerHour: 23.92 }),
  ];
  return buildPlan({
    actions: [createAction('h100', 'h100-0', 'pool has 0 of 1 nodes', placements)],
    pools: [
      poolPlan('h100', {
        change: 'create',
        patch: [{ op: 'add', path: '/gpu', value: 'h100' }, { op: 'add', path: '/gpus', value: 8 }, { op: 'add', path: '/nodes', value: 1 }],
        nodesBefore: 0,
        nodesAfter: 1,
        costBefore: 0,
        costAfter: 98.32,
      }),
    ],
    cost: cost(0, 98.32),
  });
}

export const PROTECTED_WARNING = 'pool "prod" is protected: 2 nodes kept although the pool was removed';

/** A protected pool was removed from the repository: nothing is destroyed, a warning says so. */
export function protectedPoolPlan(): Plan {
  return buildPlan({
    pools: [poolPlan('prod', { change: 'delete', nodesAfter: 2, protect: true })],
    cost: cost(2 * H100X8, 2 * H100X8),
    warnings: [PROTECTED_WARNING],
  });
}

/** Everything at once in one pool, as in the documentation's example, plus the protected-pool warning. */
export function mixedPlan(): Plan {
  return buildPlan({
    actions: [
      createAction('train', 'train-3', 'pool has 2 of 4 nodes'),
      destroyAction(nodeRef('train', 1), 'orphan', 'node is not part of the pool any more'),
      replaceAction(
        nodeRef('train', 2, { instanceType: 'f1.1xh100', pricePerHour: H100X1 }),
        'train-5',
        'spec-changed',
        'instance type changed: f1.1xh100 is no longer a placement of pool "train"',
      ),
      updateAction(nodeRef('train', 0), { team: 'a' }, { team: 'b' }),
    ],
    pools: [
      poolPlan('prod', { change: 'delete', protect: true }),
      poolPlan('train', {
        change: 'update',
        patch: [{ op: 'test', path: '/labels/team', value: 'a' }, { op: 'replace', path: '/labels/team', value: 'b' }],
        nodesBefore: 3,
        nodesAfter: 3,
        costBefore: 2 * H100X8 + H100X1,
        costAfter: 3 * H100X8,
      }),
    ],
    cost: cost(4 * H100X8 + H100X1, 5 * H100X8),
    warnings: [PROTECTED_WARNING],
  });
}

/** A big fleet change: `actions` creates spread over `pools` pools (for size limits, not for reading). */
export function largePlan(pools = 200, actions = 5000): Plan {
  const list: Action[] = [];
  for (let i = 0; i < actions; i++) {
    const pool = `pool-${String(i % pools).padStart(3, '0')}`;
    const index = Math.floor(i / pools);
    list.push(createAction(pool, `${pool}-${index}`, `pool has ${index} of ${Math.ceil(actions / pools)} nodes`));
  }
  const poolPlans = Array.from({ length: pools }, (_, i) => {
    const name = `pool-${String(i).padStart(3, '0')}`;
    const n = list.filter((a) => a.pool === name).length;
    return poolPlan(name, { change: 'create', nodesBefore: 0, nodesAfter: n, costBefore: 0, costAfter: n * H100X8 });
  });
  return buildPlan({ actions: list, pools: poolPlans, cost: cost(0, actions * H100X8) });
}

/** Every small fixture by name, for tests that must hold for all of them. */
export const FIXTURES: Record<string, () => Plan> = {
  noop: noopPlan,
  scaleUp: scaleUpPlan,
  scaleDown: scaleDownPlan,
  poolRemoval: poolRemovalPlan,
  replaceSpec: replaceSpecPlan,
  replaceUnhealthy: replaceUnhealthyPlan,
  labelUpdate: labelUpdatePlan,
  multiCloudCreate: multiCloudCreatePlan,
  protectedPool: protectedPoolPlan,
  mixed: mixedPlan,
};
