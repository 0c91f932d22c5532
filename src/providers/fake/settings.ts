/**
 * The fake cloud's settings as written under `providers.<name>` in navarch.yaml (snake_case).
 * The schema has validated them already; parsing here still refuses shapes it cannot use, so a
 * provider built from hand-written settings in a test fails loudly instead of behaving oddly.
 */
import path from 'node:path';
import { isRecord, NavarchError, parseDuration } from '../../model/index.js';

/** Where the state file lives when `state_file` is not given, relative to the config repository. */
export const DEFAULT_STATE_FILE = '.navarch/fake-cloud.json';
/** Instances per simulated `list` page when `page_size` is not given. */
export const DEFAULT_PAGE_SIZE = 50;

/** Operations a failure rule can target. */
export type FailureOp = 'provision' | 'terminate' | 'list';
/** Error classes a failure rule can raise (`not-found` is not injectable: terminate of a gone id succeeds). */
export type InjectableErrorClass = 'capacity' | 'quota' | 'throttled' | 'transient' | 'auth' | 'invalid';

const OPS: readonly FailureOp[] = ['provision', 'terminate', 'list'];
const ERRORS: readonly InjectableErrorClass[] = ['capacity', 'quota', 'throttled', 'transient', 'auth', 'invalid'];

/** One injected failure: matching calls of `op` fail with `error`, `times` times or forever. */
export interface FailureRule {
  op: FailureOp;
  error: InjectableErrorClass;
  /** Only calls for this region (provision, and terminate of an instance in it). */
  region?: string;
  /** Only calls for this instance type (provision, and terminate of an instance of it). */
  instance_type?: string;
  /** How many matching calls fail; omitted means every one. */
  times?: number;
  message?: string;
}

/** Capacity limits: instance type (or `*`) → region (or `*`) → max live instances. */
export type CapacityLimits = Record<string, Record<string, number>>;

/** Parsed fake-cloud settings. */
export interface FakeSettings {
  /** Absolute path of the shared state file. */
  stateFile: string;
  /** Milliseconds from provision to `running`. */
  latencyMs: number;
  capacity: CapacityLimits;
  failures: FailureRule[];
  pageSize: number;
}

function bad(field: string, expected: string, got: unknown): NavarchError {
  return new NavarchError('provider.settings', `fake cloud setting "${field}" must be ${expected} (got ${JSON.stringify(got)})`, {
    details: { field },
  });
}


function nonNegativeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Resolves the state file of a settings record against the config repository root. */
export function resolveStateFile(root: string, settings: Record<string, unknown> = {}): string {
  const raw = settings['state_file'];
  if (raw !== undefined && (typeof raw !== 'string' || raw.trim() === '')) throw bad('state_file', 'a path', raw);
  return path.resolve(root, typeof raw === 'string' ? raw : DEFAULT_STATE_FILE);
}

function parseCapacity(raw: unknown): CapacityLimits {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw bad('capacity', 'a map of instance type to {region: count}', raw);
  const out: CapacityLimits = {};
  for (const [type, perRegion] of Object.entries(raw)) {
    // A bare number is shorthand for the same limit in every region.
    if (nonNegativeInt(perRegion)) {
      out[type] = { '*': perRegion };
      continue;
    }
    if (!isRecord(perRegion)) throw bad(`capacity.${type}`, 'a map of region to count', perRegion);
    const limits: Record<string, number> = {};
    for (const [region, count] of Object.entries(perRegion)) {
      if (!nonNegativeInt(count)) throw bad(`capacity.${type}.${region}`, 'a non-negative integer', count);
      limits[region] = count;
    }
    out[type] = limits;
  }
  return out;
}

/** Parses one failure rule (also used for failures injected at run time through the admin helper). */
export function parseFailureRule(raw: unknown, field = 'failures[]'): FailureRule {
  if (!isRecord(raw)) throw bad(field, 'a map', raw);
  const op = raw['op'];
  const error = raw['error'];
  if (!OPS.includes(op as FailureOp)) throw bad(`${field}.op`, OPS.join(' | '), op);
  if (!ERRORS.includes(error as InjectableErrorClass)) throw bad(`${field}.error`, ERRORS.join(' | '), error);
  const rule: FailureRule = { op: op as FailureOp, error: error as InjectableErrorClass };
  for (const key of ['region', 'instance_type', 'message'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw bad(`${field}.${key}`, 'a string', v);
    rule[key] = v;
  }
  const times = raw['times'];
  if (times !== undefined) {
    if (!nonNegativeInt(times)) throw bad(`${field}.times`, 'a non-negative integer', times);
    rule.times = times;
  }
  return rule;
}

/** Parses `ProviderConfig.settings` of a `type: fake` provider. */
export function parseFakeSettings(root: string, settings: Record<string, unknown>): FakeSettings {
  const latencyRaw = settings['latency'];
  let latencyMs = 0;
  if (latencyRaw !== undefined) {
    const parsed = typeof latencyRaw === 'string' || typeof latencyRaw === 'number' ? parseDuration(latencyRaw) : undefined;
    if (parsed === undefined) throw bad('latency', 'a duration such as 200ms or 2s', latencyRaw);
    latencyMs = parsed;
  }
  const failuresRaw = settings['failures'] ?? [];
  if (!Array.isArray(failuresRaw)) throw bad('failures', 'a list', failuresRaw);
  const pageSize = settings['page_size'] ?? DEFAULT_PAGE_SIZE;
  if (!nonNegativeInt(pageSize) || pageSize === 0) throw bad('page_size', 'a positive integer', pageSize);
  return {
    stateFile: resolveStateFile(root, settings),
    latencyMs,
    capacity: parseCapacity(settings['capacity']),
    failures: failuresRaw.map((f, i) => parseFailureRule(f, `failures[${i}]`)),
    pageSize,
  };
}

/**
 * The limit that applies to a type in a region, most specific first: the type's own region entry,
 * the type's `*`, then the same under a `*` type. Undefined means unlimited.
 */
export function capacityLimit(capacity: CapacityLimits, instanceType: string, region: string): number | undefined {
  for (const type of [instanceType, '*']) {
    const perRegion = capacity[type];
    if (!perRegion) continue;
    const limit = perRegion[region] ?? perRegion['*'];
    if (limit !== undefined) return limit;
  }
  return undefined;
}
