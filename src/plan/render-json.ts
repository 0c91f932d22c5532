/**
 * The versioned plan document (`navarch plan --json`, `--out FILE`): keys sorted at every depth and
 * a fixed indentation, so two equal plans are byte-identical whatever order their keys were built in.
 * Members that are `undefined` (an absent `existing`, an unknown price) are left out, as JSON has no
 * undefined; `schemas/plan.schema.json` describes the result (snake_case keys, see plan-document.ts).
 */
import { sortDeep } from '../model/index.js';
import type { Plan } from '../model/index.js';
import { planToDocument } from './plan-document.js';

/** Serialises a plan as the document described by `schemas/plan.schema.json`, ending with a newline. */
export function renderJson(plan: Plan): string {
  return `${JSON.stringify(sortDeep(planToDocument(plan)), null, 2)}\n`;
}
