/** Types of scripts/build-validators.mjs, for the tests that call it. */

/** One generated validator module: where it is written and what it compiles. */
export interface ValidatorModule {
  out: string;
  what: string;
  options: Record<string, unknown>;
  formats: string[];
  exports: Record<string, string>;
  refs?: string[];
}

export const MODULES: readonly ValidatorModule[];
/** Reads `schemas/<name>.schema.json`. */
export function readSchema(name: string): Promise<Record<string, unknown>>;
/** The module's source as the schemas (read with `schema`) build it. */
export function generate(spec: ValidatorModule, schema?: (name: string) => Promise<Record<string, unknown>>): Promise<string>;
/** The generated modules whose committed text differs from what the schemas build; empty when current. */
export function stale(): Promise<string[]>;
