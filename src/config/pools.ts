/** One pool: its own semantic checks, and its normalised `PoolSpec`. */
import type { Diagnostic, DisruptionBudget, PoolHealthPolicy, PoolSpec, ProviderConfig, SourceRef } from '../model/index.js';
import { lookupInstanceType } from '../catalog/index.js';
import { parseDuration } from '../model/index.js';
import { expandCandidates, type Located } from './candidates.js';
import { bool, has, int, isRecord, num, rec, str, strMap } from './read.js';
import type { Scope } from './scope.js';

/** A pool as found in the repository, before checks. */
export interface PoolInput {
  name: string;
  /** Where the pool's object is (its own file, or `pools.<name>` of navarch.yaml). */
  scope: Scope;
  /** Where the pool's name comes from (its `name:` value, its key, or its file). */
  nameRef: SourceRef;
  doc: Record<string, unknown>;
}

/** Fleet-wide values a pool falls back to. */
export interface PoolDefaults {
  region: Located<string> | undefined;
  spot: boolean | undefined;
  labels: Record<string, string>;
  health: Record<string, unknown>;
}

/** What building a pool needs besides the pool. `providers` is undefined when navarch.yaml is unusable. */
export interface PoolContext {
  providers: ReadonlyMap<string, ProviderConfig> | undefined;
  defaults: PoolDefaults;
  report(d: Diagnostic): void;
}

const RESERVED_LABEL = /^navarch-/;

/** Reports label keys navarch keeps for its own tags (`navarch-…`) in the labels at `at`. */
export function checkReservedLabels(labels: Record<string, unknown> | undefined, scope: Scope, at: readonly string[], report: (d: Diagnostic) => void): void {
  for (const key of Object.keys(labels ?? {})) {
    if (RESERVED_LABEL.test(key)) {
      report(scope.diag([...at, key], `label \`${key}\` is reserved: keys starting with \`navarch-\` are navarch's own`, { key: true }));
    }
  }
}

/** Checks that do not need the catalog: exclusive fields, node counts, reserved labels. */
function checkShape(input: PoolInput, ctx: PoolContext): void {
  const { doc, scope } = input;
  const hasProvider = has(doc, 'provider');
  const hasProviders = has(doc, 'providers');
  if (hasProvider && hasProviders) {
    ctx.report(scope.diag(['providers'], 'give either `provider` or `providers`, not both', { key: true }));
  } else if (!hasProvider && !hasProviders) {
    ctx.report(scope.diag([], 'missing `provider` (or `providers`): which provider should run this pool?', { key: true }));
  }
  const entries = Array.isArray(doc['providers']) ? (doc['providers'] as unknown[]) : [];
  const everyEntryTyped = hasProviders && !hasProvider && entries.length > 0 && entries.every((e) => isRecord(e) && has(e, 'instance_type'));
  if (!has(doc, 'instance_type') && !has(doc, 'gpu') && !everyEntryTyped) {
    ctx.report(scope.diag([], 'missing `instance_type` or `gpu`: which machines should this pool run?', { key: true }));
  }
  const min = int(doc, 'min_nodes') ?? 0;
  const max = int(doc, 'max_nodes');
  const nodes = int(doc, 'nodes');
  if (max !== undefined && min > max) {
    ctx.report(scope.diag(['min_nodes'], `min_nodes (${min}) is greater than max_nodes (${max})`));
  }
  if (nodes !== undefined && max !== undefined && min <= max && (nodes < min || nodes > max)) {
    ctx.report(scope.diag(['nodes'], `nodes (${nodes}) is outside [min_nodes, max_nodes] = [${min}, ${max}]`));
  } else if (nodes !== undefined && max === undefined && nodes < min) {
    ctx.report(scope.diag(['nodes'], `nodes (${nodes}) is less than min_nodes (${min})`));
  }
  checkReservedLabels(rec(doc, 'labels'), scope, ['labels'], ctx.report);
}

/**
 * Checks a pool and builds its `PoolSpec`. Every problem goes to `ctx.report`; the spec is only
 * meaningful when nothing was reported anywhere in the repository.
 */
export function buildPool(input: PoolInput, ctx: PoolContext): PoolSpec | undefined {
  checkShape(input, ctx);
  if (!ctx.providers) return undefined;
  const { doc, scope } = input;
  const candidates = expandCandidates(doc, scope, {
    providers: ctx.providers,
    defaultRegion: has(doc, 'region') ? undefined : ctx.defaults.region,
    defaultSpot: ctx.defaults.spot,
    report: ctx.report,
  });
  if (candidates.length === 0) return undefined;

  const min = int(doc, 'min_nodes') ?? 0;
  const nodes = int(doc, 'nodes');
  const max = int(doc, 'max_nodes') ?? Math.max(min, nodes ?? 0, 1);
  const gpu = str(doc, 'gpu')?.toLowerCase();
  const gpusOfTypes = [...new Set(candidates.map((c) => lookupInstanceType(c.providerType, c.instanceType)?.gpus))];
  const gpus = int(doc, 'gpus') ?? (gpu !== undefined ? 1 : gpusOfTypes.length === 1 ? gpusOfTypes[0] : undefined);
  const health = rec(doc, 'health') ?? {};
  const cooldown = doc['cooldown'];
  return {
    name: input.name,
    source: input.nameRef,
    gpu,
    gpus,
    candidates,
    minNodes: min,
    maxNodes: max,
    targetNodes: nodes ?? min,
    spot: bool(doc, 'spot') ?? ctx.defaults.spot ?? false,
    maxPrice: num(doc, 'max_price'),
    labels: { ...ctx.defaults.labels, ...strMap(doc, 'labels') },
    health: healthPolicy(health, ctx.defaults.health),
    autoscaling: rec(doc, 'autoscaling'),
    cooldownMs: typeof cooldown === 'string' || typeof cooldown === 'number' ? parseDuration(cooldown) : undefined,
    protect: bool(doc, 'protect') ?? false,
  };
}


function durationMs(v: unknown): number | undefined {
  return typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
}

function budgetOf(v: unknown): DisruptionBudget | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return { count: v };
  const m = typeof v === 'string' ? /^(\d{1,3})%$/.exec(v) : null;
  return m ? { percent: Number(m[1]) } : undefined;
}

/** A pool's `health:` over `defaults.health`, field by field; fields neither sets stay unset. */
function healthPolicy(pool: Record<string, unknown>, defaults: Record<string, unknown>): PoolHealthPolicy {
  const pick = <T>(read: (o: Record<string, unknown>) => T | undefined): T | undefined => read(pool) ?? read(defaults);
  const out: PoolHealthPolicy = {
    unhealthyAfter: pick((o) => int(o, 'unhealthy_after')) ?? 2,
    autoReplace: pick((o) => bool(o, 'auto_replace')) ?? true,
  };
  const heartbeat = pick((o) => durationMs(o['heartbeat_timeout']));
  if (heartbeat !== undefined) out.heartbeatTimeoutMs = heartbeat;
  const registration = pick((o) => durationMs(o['registration_timeout']));
  if (registration !== undefined) out.registrationTimeoutMs = registration;
  const budget = pick((o) => budgetOf(o['disruption_budget']));
  if (budget !== undefined) out.disruptionBudget = budget;
  const breaker = pick((o) => num(o, 'breaker_percent'));
  if (breaker !== undefined) out.breakerPercent = breaker;
  const degraded = pick((o) => num(rec(o, 'thermal') ?? {}, 'degraded_at'));
  if (degraded !== undefined) out.thermalDegradedC = degraded;
  const unhealthy = pick((o) => num(rec(o, 'thermal') ?? {}, 'unhealthy_at'));
  if (unhealthy !== undefined) out.thermalUnhealthyC = unhealthy;
  const resets = pick((o) => int(o, 'resets_before_replace'));
  if (resets !== undefined) out.resetsBeforeReplace = resets;
  return out;
}
