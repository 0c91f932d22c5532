/**
 * The part of Compute Engine's list filter grammar the server understands: AIP-160 comparisons of
 * labels and fields joined by AND, each optionally in parentheses:
 * `(labels.env = "prod") AND (status = RUNNING)`. Anything else is refused the way the API refuses
 * a malformed filter, so a provider sending something else fails here, not only in production.
 */

/** One `field = value` term. */
export interface FilterTerm {
  /** `labels.<key>` or a top-level field name. */
  field: string;
  value: string;
  negate: boolean;
}

const TERM = /^\(?\s*([a-zA-Z][a-zA-Z0-9_.-]*)\s*(=|!=)\s*("(?:[^"\\]|\\.)*"|[^\s()"]+)\s*\)?$/;

/** Parses a filter; undefined when the server would refuse it. */
export function parseFilter(text: string): FilterTerm[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const terms: FilterTerm[] = [];
  for (const part of trimmed.split(/\s+AND\s+/)) {
    const m = TERM.exec(part.trim());
    if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
    const raw = m[3];
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        return undefined;
      }
    }
    terms.push({ field: m[1], value, negate: m[2] === '!=' });
  }
  return terms;
}

/** Whether a resource (its labels and top-level string fields) passes every term. */
export function matches(terms: readonly FilterTerm[], labels: Record<string, string>, fields: Record<string, unknown>): boolean {
  return terms.every((t) => {
    const actual = t.field.startsWith('labels.') ? labels[t.field.slice('labels.'.length)] : fields[t.field];
    const equal = actual !== undefined && String(actual) === t.value;
    return t.negate ? !equal : equal;
  });
}
