/** A ConfigSource that reads files at an exact commit, straight from git objects (no checkout). */
import * as fs from 'node:fs';
import { git } from './iso.js';
import { MAX_FILE_BYTES, type ConfigSource } from '../config/index.js';
import { readCommitData, readTreeEntries, type GitStore, type TreeItem } from './objects.js';

/**
 * The repository at `commitOid` as a ConfigSource. `root` names it (its last path segment is the
 * default fleet name), e.g. the remote URL without `.git`. Trees are read once and kept.
 */
export function commitSource(store: GitStore, commitOid: string, root: string): ConfigSource {
  const trees = new Map<string, Promise<TreeItem[] | undefined>>();
  let rootTree: Promise<string> | undefined;

  const treeOf = (dir: string): Promise<TreeItem[] | undefined> => {
    const key = dir.replace(/^\/+|\/+$/g, '');
    let found = trees.get(key);
    if (!found) {
      found = (async () => {
        rootTree ??= readCommitData(store, commitOid).then((c) => c.tree);
        let oid = await rootTree;
        for (const part of key === '' ? [] : key.split('/')) {
          if (part === '.' || part === '..') return undefined;
          const entry = (await readTreeEntries(store, oid)).find((e) => e.path === part);
          if (!entry || entry.type !== 'tree') return undefined;
          oid = entry.oid;
        }
        return readTreeEntries(store, oid);
      })();
      trees.set(key, found);
    }
    return found;
  };

  const split = (path: string): [string, string] => {
    const i = path.lastIndexOf('/');
    return i < 0 ? ['', path] : [path.slice(0, i), path.slice(i + 1)];
  };

  return {
    root,
    async list(dir) {
      const entries = await treeOf(dir);
      if (!entries) return [];
      const prefix = dir.replace(/\/+$/, '');
      // Regular files only: symbolic links (120000) and submodules are not config.
      return entries
        .filter((e) => e.type === 'blob' && e.mode !== '120000')
        .map((e) => (prefix ? `${prefix}/${e.path}` : e.path))
        .sort();
    },
    async read(path) {
      const [dir, name] = split(path);
      const entry = (await treeOf(dir))?.find((e) => e.path === name);
      if (!entry || entry.type !== 'blob' || entry.mode === '120000') return undefined;
      const { blob } = await git.readBlob({ fs, gitdir: store.gitdir, oid: entry.oid, cache: store.cache });
      return Buffer.from(blob.subarray(0, MAX_FILE_BYTES + 1)).toString('utf8');
    },
  };
}
