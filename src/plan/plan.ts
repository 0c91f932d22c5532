/**
 * plan(desired, observed, options) → Plan. A pure function: no I/O, no clock, no randomness.
 * Everything it needs arrives as arguments, so the same inputs always give the same bytes.
 */
import fjp from 'fast-json-patch';
import { priceOf as catalogPrice } from '../catalog/index.js';
import {
  PLAN_FORMAT_VERSION,
  type Action,
  type DesiredFleet,
  type DestroyGuard,
  type GuardViolation,
  type JsonPatchOperation,
  type ObservedFleet,
  type ObservedNode,
  type Plan,
  type PoolPlan,
  type ReasonCode,
  type UnknownPool,
} from '../model/index.js';
import { costSummary, money } from './cost.js';
import { observedDigest } from './digest.js';
import { orderPlacements, type UnavailableOffering } from './placement.js';
import { destroyAction, planPoolActions } from './pool-actions.js';
import { applySizeLimits, type SizeMode } from './size-limits.js';

export interface PlanOptions {
  /** The clock value (ms since epoch) stamped on the plan. */
  now: number;
  /** Offerings that recently ran out of capacity; they are tried last. */
  unavailable?: UnavailableOffering[];
  /** Pools whose health-driven replacements wait this time, with why (the control plane backs off after a failed one). */
  holdReplacements?: Readonly<Record<string, string>>;
  /**
   * Providers whose instances cannot be relabelled in place (Lambda): label changes reach their new
   * nodes only, so no update is planned that apply could never carry out.
   */
  fixedLabels?: ReadonlySet<string>;
  /** What to do past `safety.max_nodes_per_pool` / `safety.max_create` (default `guard`: needs `--allow-large`). */
  large?: SizeMode;
  /**
   * What to do with destroys past `safety.max_destroy_percent`. `guard` (the default): the plan keeps
   * them and records a guard, which apply refuses without `--allow-destroy`. `skip`: the plan leaves
   * them out and says so (for `navarch serve`, which has nobody to ask); broken nodes and orphans
   * never count against the guard, so they are still replaced or removed.
   */
  destroys?: 'guard' | 'skip';
}

/**
 * Destroys motivated by broken hardware do not count against the destroy guard (the capacity is
 * already lost), nor do orphans (no pool ever counted them).
 */
const UNGUARDED: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['unhealthy', 'failed', 'orphan']);
const guarded = (a: Action): boolean => (a.kind === 'destroy' || a.kind === 'replace') && !UNGUARDED.has(a.reason.code);

export function plan(desired: DesiredFleet, observed: ObservedFleet, options: PlanOptions): Plan {
  const warnings: string[] = [];
  let actions: Action[] = [];
  const priceOf = (n: ObservedNode): number | undefined => {
    const type = desired.providers[n.provider]?.type;
    return type ? catalogPrice(type, n.instanceType, n.region, n.spot) : undefined;
  };

  for (const g of observed.gaps) {
    warnings.push(`provider "${g.provider}" could not be listed (${g.reason}); pools placed on it are left unchanged`);
  }
  // What cannot be seen is not missing: a pool whose nodes may sit on an unlisted provider gets no
  // action at all, or it would be refilled elsewhere (or emptied) on a guess.
  const unknown = unknownPools(desired, observed);
  const frozen = new Set(unknown.map((u) => u.pool));

  // Sorting first makes the plan independent of the order providers listed their instances in.
  const sorted = [...observed.nodes].sort(
    (a, b) => a.pool.localeCompare(b.pool) || a.ordinal - b.ordinal || a.name.localeCompare(b.name) || a.instanceId.localeCompare(b.instanceId),
  );
  const byPool = groupBy(sorted, (n) => n.pool);

  const declared = new Set(desired.pools.map((p) => p.name));
  const inFlight = groupBy(observed.lifecycles ?? [], (l) => l.pool);
  // The nodes a lifecycle in flight owns get no other action: the lifecycle takes them where they go.
  const owned = new Set((observed.lifecycles ?? []).flatMap((l) => (l.new ? [l.old, l.new] : [l.old])));
  for (const pool of desired.pools) {
    if (frozen.has(pool.name)) continue;
    const nodes = byPool.get(pool.name) ?? [];
    const mine = inFlight.get(pool.name) ?? [];
    const taken = mine.flatMap((l) => (l.new ? [ordinalIn(l.new, pool.name)] : []));
    const lastOrdinal = Math.max(0, observed.pools[pool.name]?.lastOrdinal ?? 0, ...nodes.map((n) => n.ordinal), ...taken);
    const result = planPoolActions({
      pool,
      nodes: nodes.filter((n) => !owned.has(n.name)),
      inFlight: mine,
      leaving: nodes.filter((n) => mine.some((l) => l.old === n.name) && n.state !== 'stopping').length,
      placements: orderPlacements(pool.candidates, options.unavailable ?? []),
      nextOrdinal: lastOrdinal + 1,
      priceOf,
      hold: options.holdReplacements?.[pool.name],
      fixedLabels: options.fixedLabels ?? new Set(),
    });
    actions.push(...result.actions);
    warnings.push(...result.warnings);
  }

  // Nodes whose pool is gone: destroy what a recorded pool left behind; report what nobody recorded.
  const undeclared = [...byPool.keys()].filter((p) => !declared.has(p) && !frozen.has(p)).sort();
  for (const poolName of undeclared) {
    const nodes = (byPool.get(poolName) ?? []).filter((n) => n.state !== 'stopping' && !owned.has(n.name));
    const recorded = poolName !== '' ? observed.pools[poolName] : undefined;
    for (const n of nodes) {
      if (recorded?.protect) {
        warnings.push(`pool "${poolName}" is protected: node ${n.name} kept although the pool is no longer declared`);
      } else if (recorded) {
        actions.push(destroyAction(n, poolName, { code: 'pool-removed', message: `pool "${poolName}" is no longer declared` }, priceOf(n)));
      } else if (desired.settings.orphans === 'destroy') {
        actions.push(destroyAction(n, poolName, { code: 'orphan', message: orphanMessage(desired.fleet, n) }, priceOf(n)));
      } else {
        warnings.push(`${orphanMessage(desired.fleet, n)}; it is left running (set \`orphans: destroy\` in navarch.yaml to remove such instances)`);
      }
    }
  }

  uniqueIds(actions);
  const sized = applySizeLimits(desired, observed.nodes, actions, options.large ?? 'guard');
  actions = sized.actions;
  warnings.push(...sized.warnings);
  const guards: GuardViolation[] = [...sized.guards];
  const destroyGuarded = destroyGuards(desired, observed.nodes, actions);
  if (options.destroys === 'skip' && destroyGuarded.length > 0) {
    const skipped = new Set(destroyGuarded.map((g) => g.pool));
    actions = actions.filter((a) => !(skipped.has(a.pool) && guarded(a)));
    for (const g of destroyGuarded) {
      warnings.push(`${g.message}; those actions were skipped (run \`navarch apply --allow-destroy\`, or start navarch serve with --allow-destroy)`);
    }
  } else guards.unshift(...destroyGuarded);
  // Everything below is computed from the actions kept: nothing edits a plan once it is returned.
  const pools = poolPlans(desired, observed, actions, priceOf, frozen);
  const summary = { add: 0, change: 0, destroy: 0 };
  for (const a of actions) {
    if (a.kind === 'create' || a.kind === 'replace') summary.add += 1;
    if (a.kind === 'destroy' || a.kind === 'replace') summary.destroy += 1;
    if (a.kind === 'update') summary.change += 1;
  }

  return {
    formatVersion: PLAN_FORMAT_VERSION,
    fleet: desired.fleet,
    desired: { commit: desired.commit ?? null, digest: desired.digest },
    observed: { digest: observedDigest(observed) },
    createdAt: new Date(options.now).toISOString(),
    actions,
    pools,
    summary,
    cost: costSummary(sorted, actions, priceOf),
    guards,
    unknown,
    warnings,
  };
}

/** The ordinal of a node name in its pool (`train-3` → 3), or 0 when it does not follow the scheme. */
function ordinalIn(name: string, pool: string): number {
  const m = name.startsWith(`${pool}-`) ? /^[1-9]\d{0,8}$/.exec(name.slice(pool.length + 1)) : null;
  return m ? Number(m[0]) : 0;
}

/** Pools placed on, or with nodes recorded on, a provider that could not be listed; sorted by name. */
function unknownPools(desired: DesiredFleet, observed: ObservedFleet): UnknownPool[] {
  const gaps = new Map(observed.gaps.map((g) => [g.provider, g]));
  const providersOf = new Map<string, Set<string>>();
  const add = (pool: string, provider: string): void => {
    const set = providersOf.get(pool) ?? new Set<string>();
    set.add(provider);
    providersOf.set(pool, set);
  };
  for (const g of observed.gaps) for (const p of g.pools ?? []) add(p, g.provider);
  for (const p of desired.pools) for (const c of p.candidates) if (gaps.has(c.provider)) add(p.name, c.provider);
  return [...providersOf]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pool, set]) => {
      const providers = [...set].sort();
      const reason = providers.map((name) => `provider "${name}" could not be listed: ${gaps.get(name)?.reason ?? 'unknown error'}`).join('; ');
      return { pool, providers, reason };
    });
}

function orphanMessage(fleet: string, n: ObservedNode): string {
  const where = `${n.provider} ${n.region} ${n.instanceType}`;
  return `instance ${n.instanceId} (${where}) carries fleet "${fleet}" tags but no declared or recorded pool claims it${n.pool ? ` (pool tag "${n.pool}")` : ''}`;
}

/** Two nodes can share a name only through outside interference; keep action ids unique regardless. */
function uniqueIds(actions: Action[]): void {
  const seen = new Set<string>();
  for (const a of actions) {
    if (seen.has(a.id) && a.existing) a.id = `${a.id}@${a.existing.instanceId}`;
    seen.add(a.id);
  }
}

function destroyGuards(desired: DesiredFleet, nodes: ObservedNode[], actions: Action[]): DestroyGuard[] {
  const limit = desired.settings.maxDestroyPercent;
  const live = new Map<string, number>();
  for (const n of nodes) if (n.state === 'pending' || n.state === 'running') live.set(n.pool, (live.get(n.pool) ?? 0) + 1);
  const destroying = new Map<string, number>();
  for (const a of actions) {
    if (guarded(a)) {
      destroying.set(a.pool, (destroying.get(a.pool) ?? 0) + 1);
    }
  }
  const out: DestroyGuard[] = [];
  for (const [pool, count] of [...destroying].sort(([a], [b]) => a.localeCompare(b))) {
    const total = live.get(pool) ?? 0;
    if (total === 0 || (count * 100) / total <= limit) continue;
    const pct = Math.round((count * 100) / total);
    out.push({
      rule: 'destroy-share',
      pool,
      destroying: count,
      total,
      limitPercent: limit,
      message: `pool "${pool}": destroys or replaces ${count} of ${total} nodes (${pct}%), more than the ${limit}% allowed without --allow-destroy`,
    });
  }
  return out;
}

function poolPlans(
  desired: DesiredFleet,
  observed: ObservedFleet,
  actions: Action[],
  priceOf: (n: ObservedNode) => number | undefined,
  frozen: ReadonlySet<string>,
): PoolPlan[] {
  const nodesOf = groupBy(observed.nodes.filter((n) => n.state !== 'stopping'), (n) => n.pool);
  const actionsOf = groupBy(actions, (a) => a.pool);
  const specs = new Map(desired.pools.map((p) => [p.name, p]));
  const names = new Set<string>([...specs.keys(), ...Object.keys(observed.pools), ...[...nodesOf.keys()].filter((p) => p !== '')]);
  return [...names].sort().map((name) => {
    const declaredPool = specs.get(name);
    const recorded = observed.pools[name];
    const nodes = nodesOf.get(name) ?? [];
    const mine = actionsOf.get(name) ?? [];
    const added = mine.filter((a) => a.kind === 'create').length;
    const removed = mine.filter((a) => a.kind === 'destroy').length;
    const costBefore = nodes.reduce((s, n) => s + (priceOf(n) ?? 0), 0);
    const costAfter = costBefore + mine.reduce((s, a) => s + a.costDelta, 0);
    const doc = desired.poolDocuments[name];
    let change: PoolPlan['change'] = 'none';
    let patch: JsonPatchOperation[] = [];
    // A frozen pool's declaration is not recorded as applied either: nothing of it was.
    if (frozen.has(name)) change = 'none';
    else if (!declaredPool) change = 'delete';
    else if (!recorded && nodes.length === 0) {
      change = 'create';
      patch = doc ? (fjp.compare({}, doc, true) as JsonPatchOperation[]) : [];
    } else if (recorded?.applied && doc) {
      patch = fjp.compare(recorded.applied, doc, true) as JsonPatchOperation[];
      // Invertible patches carry `test` ops with the old values, so renderers can show `2 → 4`.
      if (patch.length > 0) change = 'update';
    }
    return {
      name,
      change,
      patch,
      nodesBefore: nodes.length,
      nodesAfter: nodes.length + added - removed,
      costBefore: money(costBefore),
      costAfter: money(costAfter),
      protect: declaredPool?.protect ?? recorded?.protect ?? false,
    };
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
