/**
 * Random, reproducible damage to a config repository: a tiny seeded PRNG (mulberry32) and the
 * mutations a careless operator or an attacker makes to YAML files — deleted keys, wrong types,
 * absurd numbers, unicode, empty and binary files, duplicate keys, alias bombs, tabs, broken
 * indentation, deep nesting, very long strings, extra and missing files.
 */
import { isMap, parseDocument, stringify } from 'yaml';

/** A PRNG over [0, 1): the same seed gives the same sequence on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A repository's config files by path; a Buffer for bytes that are not text, null for a deleted file. */
export type ConfigFiles = Record<string, string | Buffer | null>;

/** What a mutation did, for the failure message. */
export interface Mutation {
  file: string;
  what: string;
}

const HUGE = [1e308, -1e308, 2 ** 64, Number.MAX_SAFE_INTEGER + 2, Infinity, -Infinity, NaN, -1, -0, 0, 1e-300, 0.5, 2 ** 31, -(2 ** 53)];
const NUMBER_TEXT = ['1e400', '-1e400', '.inf', '-.inf', '.nan', '1e308', '18446744073709551616', '9007199254740993', '-1', '-0', '0x7fffffff', '0o777', '1_000', '1.5', '1e-400', '00012', '+12', '0b101'];
const UNICODE = ['🚀', 'ｔｒａｉｎ', 'trаin', '\u202egnp.exe', 'a\u200bb', 'e\u0301', 'nul\u0000byte', '日本語', 'Ⅻ', '\ufeffbom', 'line\nbreak', '\u2028', 'ß', 'İ'];
const TAGGED = ['!!binary aGVsbG8=', '!!timestamp 2001-12-14', '!custom x', '!!js/function "function(){}"', '!!set {a, b}', '!!omap [a: 1]', '!!float .nan', '!!int 0x1F', '!!str 1', "!!null ''", '!<tag:yaml.org,2002:str> x', '!!map {}'];
const TYPO_KEYS = ['instanse_type', 'min_node', 'maxnodes', 'provder', 'regoin', 'lables', 'Spot', 'fleet ', 'gpus2', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];
const SPECIALS = [':', '-', '[', ']', '{', '}', '"', "'", '&', '*', '!', '|', '>', '%', '@', '`', '#', ',', '?', '\t', '\r', '\\'];

type Data = unknown;
type Path = Array<string | number>;

/** Options of `mutate`. */
export interface MutateOptions {
  /**
   * The largest node count (`min_nodes`, `max_nodes`, `nodes`) to write; larger ones are written
   * as this. Undefined: no bound (absurd counts are then the safety limits' business).
   */
  maxCount?: number;
}

const COUNT_KEYS = new Set(['min_nodes', 'max_nodes', 'nodes']);

/** `value` as written at `key`, a node count bounded by `opts.maxCount`. */
function tame<T>(key: string | number | undefined, value: T, opts: MutateOptions): T | number {
  if (opts.maxCount === undefined || typeof value !== 'number' || !COUNT_KEYS.has(String(key))) return value;
  return value > opts.maxCount ? opts.maxCount : value;
}

/** Every path to a value inside `data` (maps and lists walked), the root excluded. */
function paths(data: Data, prefix: Path = [], depth = 0, out: Path[] = []): Path[] {
  if (depth > 12) return out;
  if (Array.isArray(data)) data.forEach((v, i) => (out.push([...prefix, i]), paths(v, [...prefix, i], depth + 1, out)));
  else if (data !== null && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      out.push([...prefix, k]);
      paths(v, [...prefix, k], depth + 1, out);
    }
  }
  return out;
}

function parentOf(data: Data, path: Path): { parent: Record<string | number, unknown>; key: string | number } | undefined {
  let node = data as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  const key = path[path.length - 1];
  return key === undefined || node === null || typeof node !== 'object' ? undefined : { parent: node, key };
}

function nested(depth: number, list: boolean): Data {
  let v: Data = 'bottom';
  for (let i = 0; i < depth; i++) v = list ? [v] : { k: v };
  return v;
}

function randomValue(rng: Rng): Data {
  return rng.pick<() => Data>([
    () => 'a string',
    () => '',
    () => rng.pick(HUGE),
    () => rng.chance(0.5),
    () => null,
    () => [],
    () => ({}),
    () => [1, 'two', { three: 3 }],
    () => ({ a: 1, b: [true] }),
    () => rng.pick(UNICODE),
    () => 'x'.repeat(1 + rng.int(200_000)),
    () => nested(50 + rng.int(3000), rng.chance(0.5)),
  ])();
}

/** Mutations of the parsed data, written back as YAML. Undefined when the text is not a mapping. */
function mutateData(rng: Rng, text: string, opts: MutateOptions): { text: string; what: string } | undefined {
  let data: Data;
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length > 0) return undefined;
    data = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object') return undefined;
  const all = paths(data);
  const path = all.length > 0 ? rng.pick(all) : undefined;
  const at = path ? parentOf(data, path) : undefined;
  const where = path?.join('.') ?? '(root)';
  const root = data as Record<string, unknown>;
  let what: string;
  switch (rng.int(8)) {
    case 0:
      if (!at) return undefined;
      if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1);
      else delete at.parent[at.key];
      what = `delete ${where}`;
      break;
    case 1:
    case 2: {
      if (!at) return undefined;
      const value = tame(at.key, randomValue(rng), opts);
      at.parent[at.key] = value;
      what = `set ${where} to ${describe(value)}`;
      break;
    }
    case 3: {
      const numeric = all.filter((p) => typeof parentOf(data, p)?.parent[p[p.length - 1] ?? ''] === 'number');
      const target = numeric.length > 0 ? rng.pick(numeric) : path;
      const place = target ? parentOf(data, target) : undefined;
      if (!place || !target) return undefined;
      const value = tame(place.key, rng.pick(HUGE), opts);
      place.parent[place.key] = value;
      what = `set ${target.join('.')} to ${value}`;
      break;
    }
    case 4: {
      const strings = all.filter((p) => typeof parentOf(data, p)?.parent[p[p.length - 1] ?? ''] === 'string');
      const target = strings.length > 0 ? rng.pick(strings) : path;
      const place = target ? parentOf(data, target) : undefined;
      if (!place || !target) return undefined;
      const value = rng.pick(UNICODE);
      place.parent[place.key] = rng.chance(0.5) ? value : `${String(place.parent[place.key])}${value}`;
      what = `unicode in ${target.join('.')}`;
      break;
    }
    case 5: {
      const key = rng.pick(TYPO_KEYS);
      root[key] = tame(key, randomValue(rng), opts);
      what = `add key ${JSON.stringify(key)}`;
      break;
    }
    case 6: {
      if (!at || Array.isArray(at.parent)) return undefined;
      const old = String(at.key);
      const renamed = rng.pick([old.slice(1), `${old}s`, old.toUpperCase(), `${old}\u200b`, `${old} `, rng.pick(UNICODE)]);
      at.parent[renamed] = at.parent[old];
      delete at.parent[old];
      what = `rename key ${where} to ${JSON.stringify(renamed)}`;
      break;
    }
    default: {
      if (!at) return undefined;
      at.parent[at.key] = nested(100 + rng.int(2000), rng.chance(0.5));
      what = `deep nesting at ${where}`;
    }
  }
  try {
    return { text: stringify(data, { aliasDuplicateObjects: false, lineWidth: 0 }), what };
  } catch {
    return undefined;
  }
}

function describe(value: Data): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 60)}… (${s.length} chars)` : s;
}

/** Billion laughs: each level refers to the previous one nine times. */
function aliasBomb(rng: Rng, levels: number): string {
  const p = `b${rng.int(1_000_000)}_`;
  const lines = [`${p}0: &${p}0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < levels; i++) lines.push(`${p}${i}: &${p}${i} [${Array<string>(9).fill(`*${p}${i - 1}`).join(',')}]`);
  lines.push(`${p}bomb: *${p}${levels - 1}`);
  return `${lines.join('\n')}\n`;
}

/** Mutations of the text itself. */
function mutateText(rng: Rng, text: string, opts: MutateOptions): { content: string | Buffer; what: string } {
  const lines = text.split('\n');
  const line = rng.int(Math.max(lines.length, 1));
  const keyLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /^[a-z_]+:/.test(l));
  switch (rng.int(20)) {
    case 0:
      return { content: '', what: 'empty file' };
    case 1:
      return { content: rng.pick(['   \n\n', '# only a comment\n', '~\n', 'null\n', '---\n', '...\n', '[]\n', '"just a string"\n', '42\n', '- a\n- b\n']), what: 'no mapping' };
    case 2:
      return { content: text.slice(0, rng.int(text.length)), what: 'truncated' };
    case 3: {
      const dup = keyLines.length > 0 ? rng.pick(keyLines)[0].split(':')[0] : 'name';
      return { content: `${text}${dup}: 1\n`, what: `duplicate key ${dup}` };
    }
    case 4:
      return { content: `${text}${aliasBomb(rng, 2 + rng.int(9))}`, what: 'alias bomb' };
    case 5:
      return { content: text.replace(/^( +)/gm, (s) => '\t'.repeat(Math.max(1, s.length / 2))), what: 'tabs for indentation' };
    case 6: {
      const shifted = [...lines];
      shifted[line] = rng.chance(0.5) ? ` ${' '.repeat(rng.int(5))}${shifted[line] ?? ''}` : (shifted[line] ?? '').trimStart();
      return { content: shifted.join('\n'), what: `indentation of line ${line + 1}` };
    }
    case 7: {
      const bytes = Buffer.from(Array.from({ length: 1 + rng.int(64) }, () => rng.int(256)));
      const at = Buffer.byteLength(text.slice(0, rng.int(text.length + 1)));
      const raw = Buffer.from(text);
      return { content: Buffer.concat([raw.subarray(0, at), bytes, raw.subarray(at)]), what: `binary bytes at ${at}` };
    }
    case 8:
      return { content: Buffer.from(Array.from({ length: rng.int(4096) }, () => rng.int(256))), what: 'random binary file' };
    case 9:
      return { content: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]), Buffer.from(text)]), what: 'invalid UTF-8' };
    case 10:
      return { content: `\ufeff${text}`, what: 'byte order mark' };
    case 11:
      return { content: rng.chance(0.5) ? text.replace(/\n/g, '\r\n') : text.replace(/\n/g, '\r'), what: 'CR line endings' };
    case 12:
      return { content: `${text}\n---\n${text}`, what: 'two documents' };
    case 13: {
      const tagged = [...lines];
      tagged[line] = (tagged[line] ?? '').replace(/:\s+(.*)$/, `: ${rng.pick(TAGGED)}`);
      return { content: tagged.join('\n'), what: `YAML tag on line ${line + 1}` };
    }
    case 14:
      return { content: `${text}deep: ${'['.repeat(1000 + rng.int(20_000))}${rng.chance(0.5) ? ']'.repeat(1000) : ''}\n`, what: 'deep flow nesting' };
    case 15: {
      const depth = 100 + rng.int(2000);
      const block = Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
      return { content: `${text}deep:\n ${block} end\n`, what: `deep block nesting (${depth})` };
    }
    case 16:
      return { content: `${text}${rng.chance(0.5) ? 'name' : 'x'.repeat(2000)}: ${'y'.repeat(rng.chance(0.2) ? 1_100_000 : 100_000)}\n`, what: 'very long value' };
    case 17: {
      const chars = [...text];
      for (let i = 0, n = 1 + rng.int(6); i < n; i++) {
        const at = rng.int(chars.length + 1);
        if (rng.chance(0.5)) chars.splice(at, 1);
        else chars.splice(at, 0, rng.pick(SPECIALS));
      }
      return { content: chars.join(''), what: 'random characters' };
    }
    case 18: {
      const numbers = [...lines];
      const idx = numbers.findIndex((l, i) => i >= line && /:\s*-?\d/.test(l));
      const target = idx >= 0 ? idx : line;
      const key = /^\s*([a-z_]+):/.exec(numbers[target] ?? '')?.[1];
      const written = rng.pick(NUMBER_TEXT);
      const n = Number(written.replace(/_/g, ''));
      const bounded = key && COUNT_KEYS.has(key) && opts.maxCount !== undefined && Number.isFinite(n) && n > opts.maxCount ? String(opts.maxCount) : written;
      numbers[target] = (numbers[target] ?? '').replace(/:\s+.*$/, `: ${bounded}`);
      return { content: numbers.join('\n'), what: `number text on line ${target + 1}` };
    }
    default:
      return { content: `${text}<<: {provider: local, min_nodes: -3}\nmerged: &m {a: 1}\nother: {<<: *m, b: *m}\n`, what: 'merge keys' };
  }
}

/** Paths navarch writes (status, fake-cloud state, control-plane store) pointed at config, each other, directories. */
const WRITTEN_KEYS: ReadonlyArray<Array<string>> = [['status_file'], ['providers', 'local', 'state_file'], ['control_plane', 'store']];
const WRITTEN_PATHS = [
  'navarch.yaml', './navarch.yaml', 'a/../navarch.yaml', 'pools/train.yaml', 'pools/new.yaml', 'jobs/smoke.yaml', 'pools', 'jobs/',
  'status/fleet.yaml', '.navarch/fake-cloud.json', '.navarch/control-plane.db', 'status', 'status/', '.', './', '.navarch', '.git/config',
  'deep/er/status.yaml', 'STATUS.yaml', 'status\\fleet.yaml', 'status/fleet.yaml/x', ' ',
];

function setWrittenPath(rng: Rng, text: string): { text: string; what: string } | undefined {
  const key = rng.pick(WRITTEN_KEYS);
  const value = rng.pick(WRITTEN_PATHS);
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
    doc.setIn(key, value);
    return { text: doc.toString({ lineWidth: 0 }), what: `set ${key.join('.')} to ${JSON.stringify(value)}` };
  } catch {
    // An earlier mutation made the file too deep (or too odd) for the yaml library to rewrite.
    return undefined;
  }
}

const NEW_FILE_NAMES = ['pools/extra.yaml', 'pools/Bad Name.yaml', 'pools/.hidden.yaml', 'pools/ünïcode.yaml', `pools/${'p'.repeat(200)}.yaml`, 'pools/train.yml', 'jobs/new.yaml', 'jobs/x.yaml', 'pools/-dash.yaml'];

/**
 * Applies one to three random mutations to `files` (a copy is returned). navarch.yaml is never
 * deleted: a repository without it is another test's subject.
 */
export function mutate(rng: Rng, base: Readonly<Record<string, string>>, opts: MutateOptions = {}): { files: ConfigFiles; mutations: Mutation[] } {
  const files: ConfigFiles = { ...base };
  const mutations: Mutation[] = [];
  // Mostly one mutation, so most cases reach the checks past parsing; sometimes two or three.
  for (let i = 0, n = rng.pick([1, 1, 1, 1, 1, 2, 2, 3]); i < n; i++) {
    const present = Object.keys(files).filter((f) => typeof files[f] === 'string');
    const roll = rng.int(20);
    if (roll === 0) {
      const victims = present.filter((f) => f !== 'navarch.yaml');
      if (victims.length === 0) continue;
      const file = rng.pick(victims);
      files[file] = null;
      mutations.push({ file, what: 'delete the file' });
    } else if (roll === 2 && typeof files['navarch.yaml'] === 'string') {
      const written = setWrittenPath(rng, files['navarch.yaml']);
      if (!written) continue;
      files['navarch.yaml'] = written.text;
      mutations.push({ file: 'navarch.yaml', what: written.what });
    } else if (roll === 1) {
      const file = rng.pick(NEW_FILE_NAMES);
      const from = rng.pick(Object.keys(base).filter((f) => f !== 'navarch.yaml'));
      files[file] = base[from] ?? '';
      mutations.push({ file, what: `new file, a copy of ${from}` });
    } else {
      const file = rng.pick(present.length > 0 ? present : ['navarch.yaml']);
      const text = typeof files[file] === 'string' ? (files[file] as string) : (base[file] ?? '');
      const data = rng.chance(0.6) ? mutateData(rng, text, opts) : undefined;
      if (data) {
        files[file] = data.text;
        mutations.push({ file, what: data.what });
      } else {
        const t = mutateText(rng, text, opts);
        files[file] = t.content;
        mutations.push({ file, what: t.what });
      }
    }
  }
  return { files, mutations };
}
