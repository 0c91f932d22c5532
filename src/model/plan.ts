/** The Plan: pure data produced by `plan()`, rendered for humans, saved to a file, executed by `apply`. */
import type { PlacementCandidate } from './fleet.js';

/**
 * Bumped whenever a saved plan from an older navarch could be misread. 2: the document's keys are
 * snake_case (`format_version`, `created_at`...); 1 spelt them in camelCase.
 */
export const PLAN_FORMAT_VERSION = 2;

export type ActionKind = 'create' | 'destroy' | 'replace' | 'update';

/** Why an action exists. Each code has a sentence in `message` a human can act on. */
export type ReasonCode =
  | 'below-target' // pool has fewer nodes than it should hold
  | 'above-target' // pool has more nodes than it should hold
  | 'pool-removed' // the pool is no longer declared
  | 'spec-changed' // the node's placement (provider, type, region, spot) is no longer acceptable
  | 'unhealthy' // health policy says replace
  | 'failed' // the cloud reports the instance failed
  | 'orphan' // carries this fleet's tags but no declared pool claims it
  | 'labels-changed'; // the pool's labels changed; nodes are retagged in place

export interface ActionReason {
  code: ReasonCode;
  message: string;
}

/** An existing instance an action touches. */
export interface NodeRef {
  name: string;
  pool: string;
  provider: string;
  region: string;
  zone: string | undefined;
  instanceType: string;
  instanceId: string;
  spot: boolean;
  /** USD per node-hour from the catalog, when known. */
  pricePerHour: number | undefined;
}

/** One step of a plan. Apply executes it and never re-decides it. */
export interface Action {
  /** Unique within the plan and stable across identical inputs: `<kind>:<node>`. */
  id: string;
  kind: ActionKind;
  pool: string;
  /** The node created (create, and the new node of a replace), destroyed, or updated. */
  node: string;
  reason: ActionReason;
  /** create/replace: where the new node may go, in order of preference. */
  placements: PlacementCandidate[];
  /** destroy/replace/update: the existing instance. */
  existing: NodeRef | undefined;
  /** replace: whether the new node comes up before the old one goes (the default) or after (pool at max). */
  order: 'create-before-destroy' | 'destroy-before-create' | undefined;
  /** update: labels before and after. */
  labels: { before: Record<string, string>; after: Record<string, string> } | undefined;
  /** Change in fleet cost, USD/hr, estimated from the first placement. */
  costDelta: number;
}

/** One RFC 6902 operation (as produced by fast-json-patch). */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** Pool-level view of a plan. */
export interface PoolPlan {
  name: string;
  /** Declaration change: new pool, removed pool, edited pool, or untouched. */
  change: 'create' | 'delete' | 'update' | 'none';
  /** The pool document's diff from what was last applied. */
  patch: JsonPatchOperation[];
  nodesBefore: number;
  nodesAfter: number;
  costBefore: number;
  costAfter: number;
  protect: boolean;
}

/** Fleet cost in USD per hour, split by market so spot and on-demand are priced separately. */
export interface CostSummary {
  before: number;
  after: number;
  delta: number;
  onDemand: { before: number; after: number };
  spot: { before: number; after: number };
  /** Nodes whose price the catalog does not know (counted as 0). */
  unpriced: number;
}

/** A safety rule the plan breaks; apply refuses unless explicitly allowed (`guardFlag` says how). */
export type GuardViolation = DestroyGuard | SizeGuard;

/** The plan destroys or replaces more of a pool than `safety.max_destroy_percent`: needs `--allow-destroy`. */
export interface DestroyGuard {
  rule: 'destroy-share';
  pool: string;
  message: string;
  destroying: number;
  total: number;
  limitPercent: number;
}

/**
 * A pool the plan decided nothing about: a provider it is placed on, or has recorded nodes on, could
 * not be listed, so its nodes are unknown. Apply leaves its records exactly as they were.
 */
export interface UnknownPool {
  pool: string;
  /** The providers that could not be listed. */
  providers: string[];
  /** Why, in words: `provider "aws" could not be listed: ...`. */
  reason: string;
}

/**
 * The plan grows a pool past `safety.max_nodes_per_pool` (`pool-size`), or creates more nodes in
 * one apply than `safety.max_create` (`create-count`): needs `--allow-large`.
 */
export interface SizeGuard {
  rule: 'pool-size' | 'create-count';
  /** pool-size: the pool. create-count: absent (the limit is on the whole plan). */
  pool?: string;
  message: string;
  /** pool-size: the nodes the pool would hold. create-count: the nodes the plan creates. */
  count: number;
  limit: number;
}

/** The flag that lets apply go past a guard. */
export function guardFlag(g: GuardViolation): '--allow-destroy' | '--allow-large' {
  return g.rule === 'destroy-share' ? '--allow-destroy' : '--allow-large';
}

/** The flags a plan needs before apply runs it, in a stable order (none when it breaks no guard). */
export function flagsNeeded(plan: Pick<Plan, 'guards'>): Array<'--allow-destroy' | '--allow-large'> {
  const flags = new Set(plan.guards.map(guardFlag));
  return (['--allow-destroy', '--allow-large'] as const).filter((f) => flags.has(f));
}

/**
 * A plan. Its JSON document (`navarch plan --json`, `--out FILE`) spells the same members in
 * snake_case: see `planToDocument` in src/plan.
 */
export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  fleet: string;
  /** What the plan was computed from; apply refuses when either has changed. */
  desired: { commit: string | null; digest: string };
  observed: { digest: string };
  /** The clock value handed to plan(); part of the inputs, so identical inputs give identical bytes. */
  createdAt: string;
  actions: Action[];
  pools: PoolPlan[];
  summary: { add: number; change: number; destroy: number };
  cost: CostSummary;
  guards: GuardViolation[];
  /** Pools not planned because their nodes could not be observed; never "no changes". */
  unknown: UnknownPool[];
  /** Things a human should know that are not actions (protected pools kept, providers not observed...). */
  warnings: string[];
}

/** Whether applying the plan would change anything: a node action, or a pool declaration to record. */
export function planHasChanges(plan: Plan): boolean {
  return plan.actions.length > 0 || plan.pools.some((p) => p.change !== 'none');
}
