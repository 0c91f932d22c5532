/** A `ConfigSource` over an in-memory map of files: for tests, and for config that never touched disk. */
import type { ConfigSource } from './source.js';

/** Serves `files` (repo-relative path → text) as a repository rooted at `root`. */
export function memorySource(files: Readonly<Record<string, string>>, root = '/config'): ConfigSource {
  return {
    root,
    async list(dir) {
      const prefix = dir ? `${dir.replace(/\/+$/, '')}/` : '';
      return Object.keys(files)
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .sort();
    },
    async read(path) {
      return Object.prototype.hasOwnProperty.call(files, path) ? files[path] : undefined;
    },
  };
}
