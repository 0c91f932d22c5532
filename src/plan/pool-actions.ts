/**
 * Decisions for one declared pool: which nodes to create, replace, destroy or retag. Pure.
 *
 * Order of reasoning: find the nodes with a problem (failed, no longer fitting the pool, unhealthy),
 * then size the pool to its target (dropping problem nodes before good ones, newest first), then
 * replace what is left of the problem nodes, create-before-destroy while the pool has headroom
 * under `max_nodes` and destroy-before-create beyond it.
 */
import type { Action, InFlight, ObservedNode, PlacementCandidate, PoolSpec, ReasonCode } from '../model/index.js';
import { conforms, mismatchReason } from './placement.js';
import { budgetUnhealthy } from './disruption.js';
import { toNodeRef } from './node-ref.js';

interface Problem {
  code: Extract<ReasonCode, 'failed' | 'spec-changed' | 'unhealthy'>;
  message: string;
}

export interface PoolActionInput {
  pool: PoolSpec;
  /** The pool's observed nodes (terminated ones, and those a lifecycle in flight owns, already excluded). */
  nodes: ObservedNode[];
  /** Replacements and removals in flight in this pool: each replacement's new node counts toward the target. */
  inFlight?: readonly InFlight[];
  /** Nodes still running that a lifecycle in flight takes away: they hold a place under max_nodes until they go. */
  leaving?: number;
  /** Placements for new nodes, in the order to try them. */
  placements: PlacementCandidate[];
  /** First ordinal free for new node names. */
  nextOrdinal: number;
  priceOf: (node: ObservedNode) => number | undefined;
  /** Why health-driven replacements in this pool wait this time, when they do. */
  hold?: string | undefined;
  /** Providers that cannot relabel instances in place. */
  fixedLabels: ReadonlySet<string>;
}

export interface PoolActionResult {
  actions: Action[];
  warnings: string[];
}

function problemOf(node: ObservedNode, pool: PoolSpec): Problem | undefined {
  if (node.state === 'failed') return { code: 'failed', message: `the cloud reports ${node.instanceId} as failed` };
  if (!conforms(node, pool)) return { code: 'spec-changed', message: mismatchReason(node, pool) };
  if (node.health === 'unhealthy' && pool.health.autoReplace) {
    return { code: 'unhealthy', message: node.healthReason ?? `node ${node.name} is unhealthy` };
  }
  return undefined;
}

/** Newest first: highest ordinal, then name, so scale-down is deterministic and keeps the oldest nodes. */
function newestFirst(a: ObservedNode, b: ObservedNode): number {
  return b.ordinal - a.ordinal || b.name.localeCompare(a.name);
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export function planPoolActions(input: PoolActionInput): PoolActionResult {
  const { pool, placements } = input;
  const warnings: string[] = [];
  const active = input.nodes.filter((n) => n.state !== 'stopping' && n.state !== 'terminated');
  const problems = new Map<string, Problem>();
  for (const n of active) {
    const p = problemOf(n, pool);
    if (p) problems.set(n.instanceId, p);
  }
  const inFlight = input.inFlight ?? [];
  // A replacement in flight holds its place in the pool from the start, whether its node exists yet or not.
  const replacing = inFlight.filter((l) => l.new !== undefined).length;
  // Unhealthy nodes beyond the disruption budget stay as they are until a later plan; those in flight count against it.
  const unhealthy = active.filter((n) => problems.get(n.instanceId)?.code === 'unhealthy');
  const budget = budgetUnhealthy(pool, unhealthy, active.length + replacing, input.hold, inFlight.filter((l) => l.health).length);
  for (const n of budget.deferred) problems.delete(n.instanceId);
  if (!pool.protect) warnings.push(...budget.warnings);
  const good = active.filter((n) => !problems.has(n.instanceId));
  const troubled = active.filter((n) => problems.has(n.instanceId));
  const target = pool.targetNodes;
  const price = placements[0]?.pricePerHour;

  let excess = good.length + troubled.length + replacing - target;
  const dropTroubled = excess > 0 ? [...troubled].sort(newestFirst).slice(0, excess) : [];
  excess -= dropTroubled.length;
  const dropGood = excess > 0 ? [...good].sort(newestFirst).slice(0, excess) : [];
  const toReplace = troubled.filter((n) => !dropTroubled.includes(n)).sort((a, b) => a.ordinal - b.ordinal || a.name.localeCompare(b.name));
  const createCount = Math.max(0, target - good.length - troubled.length - replacing);
  const kept = good.filter((n) => !dropGood.includes(n));

  const destroys: Action[] = [];
  const size = `pool "${pool.name}" has ${active.length + replacing} nodes, target is ${target}`;
  for (const n of [...dropTroubled, ...dropGood]) {
    const problem = problems.get(n.instanceId);
    const reason = problem
      ? { code: problem.code, message: `${problem.message}; not replaced: ${size}` }
      : { code: 'above-target' as const, message: size };
    destroys.push(destroyAction(n, pool.name, reason, input.priceOf(n)));
  }

  let ordinal = input.nextOrdinal;
  // Headroom under max_nodes decides how many replacements may bring the new node up first.
  const finalCount = kept.length + toReplace.length + createCount + replacing + (input.leaving ?? 0);
  let headroom = Math.max(0, pool.maxNodes - finalCount);
  const replaces: Action[] = toReplace.map((old) => {
    const problem = problems.get(old.instanceId) as Problem;
    const order = headroom > 0 ? 'create-before-destroy' : 'destroy-before-create';
    if (headroom > 0) headroom -= 1;
    const oldPrice = input.priceOf(old);
    return {
      id: `replace:${pool.name}-${ordinal}`,
      kind: 'replace',
      pool: pool.name,
      node: `${pool.name}-${ordinal++}`,
      reason: { code: problem.code, message: problem.message },
      placements,
      existing: toNodeRef(old, oldPrice),
      order,
      labels: undefined,
      costDelta: (price ?? 0) - (oldPrice ?? 0),
    };
  });

  const creates: Action[] = [];
  for (let i = 0; i < createCount; i++) {
    const name = `${pool.name}-${ordinal++}`;
    creates.push({
      id: `create:${name}`,
      kind: 'create',
      pool: pool.name,
      node: name,
      reason: { code: 'below-target', message: `pool "${pool.name}" has ${good.length + troubled.length + replacing} of ${target} nodes` },
      placements,
      existing: undefined,
      order: undefined,
      labels: undefined,
      costDelta: price ?? 0,
    });
  }

  const updates: Action[] = kept
    .filter((n) => !input.fixedLabels.has(n.provider) && !sameLabels(n.labels, pool.labels))
    .map((n) => ({
      id: `update:${n.name}`,
      kind: 'update' as const,
      pool: pool.name,
      node: n.name,
      reason: { code: 'labels-changed' as const, message: `labels of pool "${pool.name}" changed` },
      placements: [],
      existing: toNodeRef(n, input.priceOf(n)),
      order: undefined,
      labels: { before: n.labels, after: pool.labels },
      costDelta: 0,
    }));

  if (pool.protect && (destroys.length > 0 || replaces.length > 0)) {
    for (const a of [...replaces, ...destroys]) {
      warnings.push(`pool "${pool.name}" is protected: node ${a.existing?.name ?? a.node} kept although it should be ${a.kind === 'replace' ? 'replaced' : 'destroyed'} (${a.reason.message})`);
    }
    return { actions: [...creates, ...updates], warnings };
  }
  return { actions: [...replaces, ...creates, ...destroys, ...updates], warnings };
}

/** A destroy action for an existing node. */
export function destroyAction(
  node: ObservedNode,
  pool: string,
  reason: { code: ReasonCode; message: string },
  price: number | undefined,
): Action {
  return {
    id: `destroy:${node.name || node.instanceId}`,
    kind: 'destroy',
    pool,
    node: node.name || node.instanceId,
    reason,
    placements: [],
    existing: toNodeRef(node, price),
    order: undefined,
    labels: undefined,
    costDelta: -(price ?? 0),
  };
}
