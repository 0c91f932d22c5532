/**
 * Saved plans (`navarch plan --out FILE`, `navarch apply FILE`): written atomically, read back only
 * when they are exactly a plan document of this format version, and refused when the desired state
 * or the observed fleet has moved since they were computed.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { digestOf, NavarchError, PLAN_FORMAT_VERSION, StalePlanError } from '../model/index.js';
import type { Action, Plan } from '../model/index.js';
import { planFromDocument, planToDocument, type PlanDocument } from './plan-document.js';
import { renderJson } from './render-json.js';
// Compiled from schemas/plan.schema.json at build time (scripts/build-validators.mjs).
import { plan as checkPlan } from './validator.generated.js';

/** Writes a plan document to `path` (atomically, creating the directory). */
export async function savePlan(path: string, plan: Plan): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, renderJson(plan), { encoding: 'utf8' });
}

/**
 * Reads a saved plan. Throws `NavarchError('plan.invalid')` naming the file and the first problem when
 * it cannot be read, is not JSON, is of another format version, breaks the schema, or contradicts
 * itself (summary counts that do not match the actions, repeated action ids).
 */
export async function loadPlan(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw invalid(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
  return parsePlan(text, path);
}

/**
 * Parses and checks a plan document held in memory (read from a file, an artifact, stdin), with the
 * same checks and errors as `loadPlan`; `source` names it in messages.
 */
export function parsePlan(text: string, source: string): Plan {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalid(source, `is not valid JSON, perhaps truncated (${(err as Error).message})`, err);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalid(source, 'is not a navarch plan (expected a JSON object)');
  const record = doc as Record<string, unknown>;
  // Plans of format version 1 spelt their keys in camelCase, `formatVersion` included.
  const version = record['format_version'] ?? record['formatVersion'];
  if (version === undefined) throw invalid(source, 'is not a navarch plan (it has no format_version)');
  if (version !== PLAN_FORMAT_VERSION) {
    throw invalid(
      source,
      `has plan format version ${JSON.stringify(version)}, but this navarch reads format version ${PLAN_FORMAT_VERSION}; ` +
        'run navarch plan again with this version (a plan saved or reviewed before an upgrade is never applied after it)',
    );
  }
  const check = checkPlan as ValidateFunction;
  if (!check(doc)) {
    const first = check.errors?.[0];
    throw invalid(source, `does not match the plan schema: ${first ? describeSchemaError(first) : 'unknown problem'}`);
  }
  const plan = revive(planFromDocument(doc as PlanDocument));
  const contradiction = inconsistency(plan);
  if (contradiction) throw invalid(source, contradiction);
  return plan;
}

/**
 * A digest of everything a plan decides, its creation time excluded: the plan a pull request showed
 * and the plan about to be applied are the same plan exactly when their digests are equal.
 */
export function planDigest(plan: Plan): string {
  // Taken over the document, so that a new format version gives new digests and a plan reviewed
  // before an upgrade never matches one made after it.
  return digestOf({ ...planToDocument(plan), created_at: undefined });
}

/** The state a saved plan is checked against before it is applied. */
export interface CurrentState {
  desiredDigest: string;
  desiredCommit: string | null;
  observedDigest: string;
}

/**
 * Throws `StalePlanError` when the desired state or the observed fleet differs from what the plan was
 * computed from. Only the digests decide: a new commit that leaves the desired state unchanged (a
 * README edit) does not make a plan stale.
 */
export function checkStale(plan: Plan, current: CurrentState): void {
  const desiredChanged = plan.desired.digest !== current.desiredDigest;
  const observedChanged = plan.observed.digest !== current.observedDigest;
  if (!desiredChanged && !observedChanged) return;
  const changes: string[] = [];
  if (desiredChanged) {
    const from = plan.desired.commit;
    const to = current.desiredCommit;
    const which =
      from !== null && to !== null && from !== to
        ? `commit ${from.slice(0, 7)} → ${to.slice(0, 7)}`
        : `digest ${shortDigest(plan.desired.digest)} → ${shortDigest(current.desiredDigest)}`;
    changes.push(`the desired state changed (${which})`);
  }
  if (observedChanged) {
    changes.push(`the observed fleet changed (digest ${shortDigest(plan.observed.digest)} → ${shortDigest(current.observedDigest)})`);
  }
  throw new StalePlanError(`Saved plan is stale: ${changes.join(' and ')} since it was planned; run navarch plan again and apply the new plan.`, {
    desiredChanged,
    observedChanged,
    planned: { desiredCommit: plan.desired.commit, desiredDigest: plan.desired.digest, observedDigest: plan.observed.digest },
    current: { desiredCommit: current.desiredCommit, desiredDigest: current.desiredDigest, observedDigest: current.observedDigest },
  });
}

function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

function invalid(path: string, problem: string, cause?: unknown): NavarchError {
  return new NavarchError('plan.invalid', `Plan file ${path} ${problem}`, {
    details: { file: path },
    ...(cause === undefined ? {} : { cause }),
  });
}

function describeSchemaError(e: ErrorObject): string {
  const at = e.instancePath || '(the document)';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${at} has an unexpected member "${String(params['additionalProperty'])}"`;
  if (e.keyword === 'enum') return `${at} must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${at} ${e.message ?? 'is invalid'}`;
}

/** JSON leaves out undefined members; put them back so the result has every key the type promises. */
function revive(plan: Plan): Plan {
  const actions = plan.actions.map(
    (a): Action => ({
      ...a,
      placements: a.placements.map((p) => ({ ...p, pricePerHour: p.pricePerHour })),
      existing: a.existing && { ...a.existing, zone: a.existing.zone, pricePerHour: a.existing.pricePerHour },
      order: a.order,
      labels: a.labels,
    }),
  );
  return { ...plan, actions };
}

/** What the schema cannot say: counts must match the actions and action ids must be unique. */
function inconsistency(plan: Plan): string | undefined {
  const count = (...kinds: Action['kind'][]) => plan.actions.filter((a) => kinds.includes(a.kind)).length;
  const expected = { add: count('create', 'replace'), change: count('update'), destroy: count('destroy', 'replace') };
  const s = plan.summary;
  if (s.add !== expected.add || s.change !== expected.change || s.destroy !== expected.destroy) {
    return `contradicts itself: its summary says ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy, but its actions add ${expected.add}, change ${expected.change}, destroy ${expected.destroy}`;
  }
  const seen = new Set<string>();
  for (const a of plan.actions) {
    if (seen.has(a.id)) return `contradicts itself: action id "${a.id}" appears twice`;
    seen.add(a.id);
  }
  return undefined;
}
