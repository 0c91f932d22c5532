/** A `ConfigSource` over an in-memory map of files: for tests, and for config that never touched disk. */
import { IS_DIRECTORY, SourceFileError, type ConfigSource } from './source.js';

/** Serves `files` (repo-relative path → text) as a repository rooted at `root`; folders are implied by the paths. */
export function memorySource(files: Readonly<Record<string, string>>, root = '/config'): ConfigSource {
  const isFolder = (path: string): boolean => Object.keys(files).some((p) => p.startsWith(`${path}/`));
  return {
    root,
    async list(dir) {
      const prefix = dir ? `${dir.replace(/\/+$/, '')}/` : '';
      const names = new Set(
        Object.keys(files)
          .filter((p) => p.startsWith(prefix))
          .map((p) => prefix + (p.slice(prefix.length).split('/')[0] ?? '')),
      );
      return [...names].sort();
    },
    async read(path) {
      if (Object.prototype.hasOwnProperty.call(files, path)) return files[path];
      if (isFolder(path)) throw new SourceFileError(path, IS_DIRECTORY);
      return undefined;
    },
  };
}
