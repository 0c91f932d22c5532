/**
 * Typed reads of plain YAML data. Schema validation reports wrong types; these return undefined
 * for them so semantic checks can run on a partly invalid document without cascading errors.
 */

import { isRecord } from '../model/index.js';

export { isRecord };

export function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function int(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

export function num(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function rec(o: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = o[key];
  return isRecord(v) ? v : undefined;
}

/** A list of strings; non-string items are dropped (the schema reports them). */
export function strList(o: Record<string, unknown>, key: string): string[] | undefined {
  const v = o[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** A mapping of string values; other values are dropped (the schema reports them). */
export function strMap(o: Record<string, unknown>, key: string): Record<string, string> {
  const v = rec(o, key);
  const out: Record<string, string> = {};
  if (v) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export function has(o: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined;
}
