/** Stable serialisation and digests: the same value always gives the same bytes and hash. */
import { createHash } from 'node:crypto';

/** JSON.stringify with object keys sorted at every depth; `undefined` members are dropped. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

/** Returns a copy of `value` with object keys sorted at every depth (arrays keep their order). */
export function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  return value;
}

/** `sha256:<hex>` of the stable serialisation of `value`. */
export function digestOf(value: unknown): string {
  return `sha256:${createHash('sha256').update(stableStringify(value)).digest('hex')}`;
}

/** A short hex hash of a string, for ids and idempotency tokens. */
export function shortHash(text: string, length = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
