/** Where a logical object (a pool, a job, navarch.yaml itself) sits inside a file. */
import type { Diagnostic, SourceRef } from '../model/index.js';
import type { Segments, YamlFile } from './yaml-file.js';

/** Escapes one JSON-pointer segment (RFC 6901). */
export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Splits a JSON pointer into its unescaped segments. */
export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * A view of part of a YAML file. `docPrefix` is where the object starts inside the document;
 * `pathPrefix` is the object's path in the repository-wide pointer space (`/pools/train`), so a
 * pool reads the same in diagnostics whether it lives in its own file or inline in navarch.yaml.
 */
export class Scope {
  constructor(
    readonly yaml: YamlFile,
    readonly docPrefix: Segments,
    readonly pathPrefix: string,
  ) {}

  get file(): string {
    return this.yaml.file;
  }

  /** The repository-wide pointer of `segments` below this scope. */
  pointer(segments: Segments = []): string {
    return this.pathPrefix + segments.map((s) => `/${escapeSegment(s)}`).join('');
  }

  /** Where the value (or with `key`, the key) at `segments` is written. */
  ref(segments: Segments = [], opts: { key?: boolean } = {}): SourceRef {
    const pos = this.yaml.locate([...this.docPrefix, ...segments], opts);
    return { file: this.yaml.file, line: pos.line, column: pos.column };
  }

  /** A diagnostic about the value (or key) at `segments`. */
  diag(segments: Segments, message: string, opts: { key?: boolean } = {}): Diagnostic {
    return { ...this.ref(segments, opts), path: this.pointer(segments), message };
  }
}
