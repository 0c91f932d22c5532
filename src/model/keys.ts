/**
 * Key casing at the JSON boundary. Every document navarch prints or saves has snake_case keys, as
 * the status file and Terraform's JSON do, while the TypeScript model keeps camelCase. These
 * convert the keys of a value at every depth, except below the paths named as data (maps keyed by
 * label keys, a patch's values): those are kept exactly as they are.
 *
 * A path names object members by key and array elements by `[]`: `actions[].labels.before` is the
 * `before` member of the `labels` member of every element of `actions`.
 */

/** `memoryMiB` → `memory_mib`, `pricePerHour` → `price_per_hour`. A unit such as MiB is one word. */
export function snakeCase(key: string): string {
  return key
    .replace(/([KMGTP])iB/g, (_, p: string) => `${p}ib`)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** `price_per_hour` → `pricePerHour`. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Renames keys at every depth; `spelt` gives a key's snake_case spelling, in which paths are written. */
function convert(value: unknown, rename: (key: string) => string, spelt: (key: string) => string, verbatim: ReadonlySet<string>, path: string): unknown {
  if (verbatim.has(path)) return value;
  if (Array.isArray(value)) return value.map((v) => convert(v, rename, spelt, verbatim, `${path}[]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[rename(k)] = convert(v, rename, spelt, verbatim, path === '' ? spelt(k) : `${path}.${spelt(k)}`);
    }
    return out;
  }
  return value;
}

/** A copy of `value` with snake_case keys; `verbatim` paths (in their snake_case form) are copied as they are. */
export function snakeCaseKeys(value: unknown, verbatim: readonly string[] = []): unknown {
  return convert(value, snakeCase, snakeCase, new Set(verbatim), '');
}

/** A copy of `value` with camelCase keys; `verbatim` paths (in their snake_case form) are copied as they are. */
export function camelCaseKeys(value: unknown, verbatim: readonly string[] = []): unknown {
  return convert(value, camelCase, (k) => k, new Set(verbatim), '');
}
