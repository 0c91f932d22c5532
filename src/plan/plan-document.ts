/**
 * The plan document (`schemas/plan.schema.json`) and the Plan model are one value in two spellings:
 * the document has snake_case keys, like every JSON navarch prints, the model camelCase. This pair
 * is the only place a plan crosses between them: `plan --json`, `plan --out FILE`, `apply --json`,
 * the Action's plan file and the digests that stamp a plan all go through `planToDocument`, and
 * every plan read back goes through `planFromDocument`.
 */
import { camelCaseKeys, snakeCaseKeys, type Plan } from '../model/index.js';

/** A plan as its JSON document: snake_case keys, `format_version` first among equals. */
export type PlanDocument = { format_version: number } & Record<string, unknown>;

/** Members whose keys are data (label keys, a pool document's own keys), kept exactly as written. */
const VERBATIM = ['actions[].labels.before', 'actions[].labels.after', 'pools[].patch[].value'] as const;

/** The document of `plan`. Members that are `undefined` stay undefined (JSON leaves them out). */
export function planToDocument(plan: Plan): PlanDocument {
  return snakeCaseKeys(plan, VERBATIM) as PlanDocument;
}

/**
 * The plan a document describes. The document must already have passed the schema (see
 * `parsePlan`); members JSON leaves out are not put back here.
 */
export function planFromDocument(doc: PlanDocument): Plan {
  return camelCaseKeys(doc, VERBATIM) as Plan;
}
