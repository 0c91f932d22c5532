/** A ConfigSource that reads files at an exact commit, straight from git objects (no checkout). */
import * as fs from 'node:fs';
import { posix } from 'node:path';
import { git } from './iso.js';
import { IS_DIRECTORY, leavesRepository, MAX_FILE_BYTES, SourceFileError, type ConfigSource } from '../config/index.js';
import { readCommitData, readTreeEntries, type GitStore, type TreeItem } from './objects.js';

const SYMLINK = '120000';
/** Links followed while resolving one path before it is called a loop (Linux's own limit). */
const MAX_LINKS = 40;

/** What a path resolves to in the commit's tree: an entry, or the root tree itself. */
type Resolved = { entry: TreeItem } | { root: string };

/**
 * The repository at `commitOid` as a ConfigSource. `root` names it (its last path segment is the
 * default fleet name), e.g. the remote URL without `.git`. Symbolic links (mode 120000) are
 * followed within the commit's tree, as a checkout would, and refused when they leave it.
 */
export function commitSource(store: GitStore, commitOid: string, root: string): ConfigSource {
  const trees = new Map<string, Promise<TreeItem[]>>();
  let rootTree: Promise<string> | undefined;
  const entriesOf = (oid: string): Promise<TreeItem[]> => {
    let found = trees.get(oid);
    if (!found) trees.set(oid, (found = readTreeEntries(store, oid)));
    return found;
  };
  const blobText = async (oid: string): Promise<string> => {
    const { blob } = await git.readBlob({ fs, gitdir: store.gitdir, oid, cache: store.cache });
    return Buffer.from(blob.subarray(0, MAX_FILE_BYTES + 1)).toString('utf8');
  };

  /** Resolves `path` component by component, following links; undefined when nothing is there. */
  const resolvePath = async (path: string): Promise<Resolved | undefined> => {
    rootTree ??= readCommitData(store, commitOid).then((c) => c.tree);
    const top = await rootTree;
    let rest = path.split('/').filter((p) => p !== '' && p !== '.');
    if (rest.includes('..')) return undefined;
    let done: string[] = [];
    let tree = top;
    let links = 0;
    let followed: { link: string; target: string } | undefined;
    while (rest.length > 0) {
      const [name, ...after] = rest as [string, ...string[]];
      const entry = (await entriesOf(tree)).find((e) => e.path === name);
      if (!entry) {
        if (followed) throw new SourceFileError(path, `is a symbolic link to ${followed.target}, which does not exist in the repository`);
        return undefined;
      }
      if (entry.mode === SYMLINK) {
        if (++links > MAX_LINKS) throw new SourceFileError(path, 'is a symbolic link that loops back on itself');
        const link = [...done, name].join('/');
        const target = (await blobText(entry.oid)).trim();
        const joined = posix.normalize(posix.join(done.join('/'), target));
        if (posix.isAbsolute(target) || joined === '..' || joined.startsWith('../')) throw new SourceFileError(path, leavesRepository(link, target, path));
        followed ??= { link, target };
        // Start again from the root with the link replaced by where it points.
        rest = [...joined.split('/').filter((p) => p !== '' && p !== '.'), ...after];
        done = [];
        tree = top;
        continue;
      }
      if (after.length === 0) return { entry };
      if (entry.type !== 'tree') return undefined;
      done.push(name);
      tree = entry.oid;
      rest = after;
    }
    return { root: tree };
  };

  const treeOf = (r: Resolved): string | undefined => ('root' in r ? r.root : r.entry.type === 'tree' ? r.entry.oid : undefined);

  return {
    root,
    missingRoot: () => `no navarch.yaml at the root of ${root} (commit ${commitOid.slice(0, 7)})`,
    async list(dir) {
      const found = await resolvePath(dir);
      const tree = found && treeOf(found);
      if (tree === undefined) return [];
      const prefix = dir.replace(/\/+$/, '');
      return (await entriesOf(tree)).map((e) => (prefix ? `${prefix}/${e.path}` : e.path)).sort();
    },
    async read(path) {
      const found = await resolvePath(path);
      if (!found) return undefined;
      if ('root' in found || found.entry.type === 'tree') throw new SourceFileError(path, IS_DIRECTORY);
      if (found.entry.type === 'commit') throw new SourceFileError(path, 'is a submodule, not a file');
      return blobText(found.entry.oid);
    },
  };
}
