/**
 * Reading one YAML file with positions kept, so every later problem can be reported at the
 * `line:column` of the node it concerns.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
} from 'yaml';
import type { Diagnostic } from '../model/index.js';
import { MAX_FILE_BYTES } from './source.js';

/** Alias expansions allowed per file: plenty for hand-written anchors, fatal to a "billion laughs". */
export const MAX_ALIAS_COUNT = 100;

/** Segments of a path inside a document (map keys and sequence indexes). */
export type Segments = ReadonlyArray<string | number>;

/** A position in a file, 1-based. */
export interface Position {
  line: number;
  column: number;
}

/** A successfully parsed file: its plain value plus a way back from a path to a position. */
export interface YamlFile {
  file: string;
  /** The document as plain JSON-like data (aliases expanded, merge keys applied). */
  value: unknown;
  /** Position of the value at `path`, or of its key with `key: true`; the nearest existing ancestor when absent. */
  locate(path: Segments, opts?: { key?: boolean }): Position;
}

/** The outcome of reading one file: either a parsed file or the problems that stopped it. */
export type ParseResult = { ok: true; yaml: YamlFile } | { ok: false; diagnostics: Diagnostic[] };

function fail(file: string, message: string, pos: Position = { line: 1, column: 1 }): ParseResult {
  return { ok: false, diagnostics: [{ file, line: pos.line, column: pos.column, path: '', message }] };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/** Finds the pair whose key is `key` in a map, looking through `<<` merge keys as YAML does. */
function findPair(doc: Document, map: Node, key: string, depth = 0): Pair | undefined {
  if (!isMap(map) || depth > 8) return undefined;
  let merged: Pair | undefined;
  for (const pair of map.items) {
    const k = pair.key;
    if (isScalar(k) && typeof k.value === 'symbol') {
      // A merge key: its value is an alias (or a list of them) to maps whose pairs count as ours.
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const src of sources) {
        const target = isAlias(src) ? src.resolve(doc) : src;
        const found = merged ?? (target ? findPair(doc, target as Node, key, depth + 1) : undefined);
        if (found) merged = found;
      }
    } else if (isScalar(k) && String(k.value) === key) {
      return pair;
    }
  }
  return merged;
}

function syntaxMessage(code: string, message: string, text: string, offset: number): string {
  if (code === 'DUPLICATE_KEY') {
    const key = /^\s*(?:"([^"]*)"|'([^']*)'|([^:#\n]*?))\s*:/.exec(text.slice(offset, offset + 200));
    const name = key?.[1] ?? key?.[2] ?? key?.[3];
    return name ? `duplicate key \`${name}\`: keys of a mapping must be unique` : 'duplicate key: keys of a mapping must be unique';
  }
  return `invalid YAML: ${message.split('\n')[0] ?? message}`;
}

/**
 * Parses `text` as one YAML document. Syntax errors, duplicate keys, several documents, an
 * empty file, a non-mapping top level, oversized input and runaway aliases all come back as
 * diagnostics naming the file.
 */
export function parseYamlFile(file: string, text: string): ParseResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
    return fail(file, `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; navarch refuses to read it`);
  }
  const lc = new LineCounter();
  const at = (offset: number): Position => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, merge: true, prettyErrors: false, uniqueKeys: true }) as Document.Parsed[];
  } catch (err) {
    return fail(file, `could not parse YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(docs)) return fail(file, 'could not parse YAML');
  const syntax = docs.flatMap((d) => d.errors);
  if (syntax.length > 0) {
    return {
      ok: false,
      diagnostics: syntax.map((e) => ({ file, ...at(e.pos[0]), path: '', message: syntaxMessage(e.code, e.message, text, e.pos[0]) })),
    };
  }
  const second = docs[1];
  if (second) {
    const start = second.range[0];
    return fail(file, `expected one YAML document per file, found ${docs.length} (separated by \`---\`)`, at(start));
  }
  const doc = docs[0];
  if (!doc || doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return fail(file, 'file is empty; expected a mapping of keys to values');
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (/alias/i.test(why)) {
      return fail(file, `too many alias expansions (more than ${MAX_ALIAS_COUNT}); refusing a document that expands without bound`);
    }
    return fail(file, `could not read YAML: ${why}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const root = doc.contents as Node;
    return fail(file, `expected a mapping of keys to values at the top of the file, got ${kindOf(value)}`, at(root.range?.[0] ?? 0));
  }

  const locate = (path: Segments, opts: { key?: boolean } = {}): Position => {
    let node: Node | null = doc.contents as Node | null;
    let keyNode: Node | null = null;
    for (const seg of path) {
      if (isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? node;
      if (isMap(node)) {
        const pair = findPair(doc, node, String(seg));
        if (!pair) break;
        keyNode = pair.key as Node | null;
        node = (pair.value as Node | null) ?? keyNode;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)] as Node | undefined;
        if (item === undefined) break;
        keyNode = item;
        node = item;
      } else {
        break;
      }
    }
    const target = opts.key && keyNode ? keyNode : node;
    return at(target?.range?.[0] ?? 0);
  };
  return { ok: true, yaml: { file, value, locate } };
}
