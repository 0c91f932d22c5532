/**
 * A reader of Prometheus's text exposition format (version 0.0.4), strict enough that a scrape
 * Prometheus would reject fails here too: every sample line parses, every metric has one TYPE,
 * declared before its samples.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Metric family → counter, gauge, histogram, summary or untyped. */
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;

function unescape(v: string): string {
  return v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m?.[1]) throw new Error(`bad labels in: ${line}`);
    if (m[1] in labels) throw new Error(`label ${m[1]} twice in: ${line}`);
    labels[m[1]] = unescape(m[2] ?? '');
    at = re.lastIndex;
  }
  return labels;
}

/** Values as Prometheus reads them (Go's ParseFloat: `NaN`, `+Inf`, `-Inf` in any case). */
function parseValue(text: string, line: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new Error(`bad value in: ${line}`);
  return n;
}

/** The family a sample belongs to (a histogram's `_bucket`, `_sum` and `_count` belong to it). */
function familyOf(name: string, types: ReadonlyMap<string, string>): string {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count', '_created']) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
    if (base && types.has(base)) return base;
  }
  return name;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue; // a plain comment
      const [, kind, name = '', rest = ''] = m;
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      if (kind === 'TYPE') {
        if (types.has(name)) throw new Error(`second TYPE for ${name}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad type in: ${line}`);
        if (samples.some((s) => familyOf(s.name, types) === name || s.name === name)) throw new Error(`TYPE of ${name} after its samples`);
        types.set(name, rest);
      } else help.set(name, rest);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m?.[1] || m[4] === undefined) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: m[1], labels: m[3] ? parseLabels(m[3], line) : {}, value: parseValue(m[4], line) });
  }
  for (const s of samples) if (!types.has(familyOf(s.name, types))) throw new Error(`no TYPE for ${s.name}`);
  return { types, help, samples };
}

/** The value of the sample named `name` with exactly `labels`, if there is one. */
export function valueOf(exp: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return exp.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}

/** Every sample named `name`, as `label=value,…: value` lines, sorted (for whole-family comparisons). */
export function seriesOf(exp: Exposition, name: string): string[] {
  return exp.samples
    .filter((s) => s.name === name)
    .map((s) => `${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(',')}: ${s.value}`)
    .sort();
}
