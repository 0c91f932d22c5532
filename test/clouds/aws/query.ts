/**
 * Decoding of EC2 Query requests: a form-encoded body of `Action=...&Version=...` and flattened
 * parameters (`TagSpecification.1.Tag.2.Key=...`, `Filter.1.Value.1=...`), lists 1-based.
 */

/** A decoded parameter tree: lists become arrays, structures objects, leaves strings. */
export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };
export type QueryTree = { [key: string]: QueryValue };

/** Raw form body → flat map (later duplicates win, as EC2 does not accept them anyway). */
export function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body).entries());
}

/** Flat map → tree: `A.1.B=x` becomes `{A: [{B: 'x'}]}`. */
export function toTree(flat: Record<string, string>): QueryTree {
  const root: QueryTree = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node: QueryTree | QueryValue[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(parts[i + 1] ?? '');
      const slot = Array.isArray(node) ? Number(part) - 1 : part;
      const container = node as Record<string | number, QueryValue>;
      if (last) {
        container[slot] = value;
        return;
      }
      container[slot] ??= nextIsIndex ? [] : {};
      node = container[slot] as QueryTree | QueryValue[];
    });
  }
  return root;
}

/** A string leaf of `tree` at `path`, if present. */
export function str(tree: QueryValue | undefined, ...path: string[]): string | undefined {
  let node: QueryValue | undefined = tree;
  for (const p of path) {
    if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined;
    node = node[p];
  }
  return typeof node === 'string' ? node : undefined;
}

/** A list at `key` of `tree` (holes from missing indexes dropped). */
export function list(tree: QueryValue | undefined, key: string): QueryValue[] {
  if (tree === undefined || typeof tree === 'string' || Array.isArray(tree)) return [];
  const v = tree[key];
  return Array.isArray(v) ? v.filter((x) => x !== undefined) : [];
}

/** A list of strings at `key` (`InstanceId.1`, `SecurityGroupId.2`...). */
export function strings(tree: QueryValue | undefined, key: string): string[] {
  return list(tree, key).filter((v): v is string => typeof v === 'string');
}
