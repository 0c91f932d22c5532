/**
 * Reading and writing git objects in a git directory without a working tree: the files of a
 * commit, a commit that changes exactly one file, and the commit that last changed the config.
 */
import * as fs from 'node:fs';
import { git } from './iso.js';
import { NavarchError } from '../model/index.js';
import { signature, type GitAuthor } from './author.js';

/** A git directory plus isomorphic-git's object cache (shared, so pack indexes are parsed once). */
export interface GitStore {
  readonly gitdir: string;
  readonly cache: object;
}

export function gitStore(gitdir: string): GitStore {
  return { gitdir, cache: {} };
}

/** One entry of a tree. */
export interface TreeItem {
  mode: string;
  path: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

export async function readTreeEntries(store: GitStore, treeOid: string): Promise<TreeItem[]> {
  const { tree } = await git.readTree({ fs, gitdir: store.gitdir, oid: treeOid, cache: store.cache });
  return tree as TreeItem[];
}

export interface CommitData {
  oid: string;
  tree: string;
  parents: string[];
  message: string;
  /** Author time, ms since the epoch. */
  time: number;
}

export async function readCommitData(store: GitStore, oid: string): Promise<CommitData> {
  const { commit } = await git.readCommit({ fs, gitdir: store.gitdir, oid, cache: store.cache });
  return { oid, tree: commit.tree, parents: commit.parent, message: commit.message, time: commit.author.timestamp * 1000 };
}

function splitPath(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new NavarchError('git.path', `"${path}" is not a repository-relative file path`);
  return parts;
}

/** The tree entry at `path` under `treeOid`, or undefined. */
export async function entryAt(store: GitStore, treeOid: string, path: string): Promise<TreeItem | undefined> {
  let tree = treeOid;
  const parts = splitPath(path);
  for (let i = 0; i < parts.length; i++) {
    const entry = (await readTreeEntries(store, tree)).find((e) => e.path === parts[i]);
    if (!entry) return undefined;
    if (i === parts.length - 1) return entry;
    if (entry.type !== 'tree') return undefined;
    tree = entry.oid;
  }
  return undefined;
}

/** The bytes of the regular file at `path` in commit `commitOid`, or undefined. */
export async function readFileAt(store: GitStore, commitOid: string, path: string): Promise<Uint8Array | undefined> {
  const { tree } = await readCommitData(store, commitOid);
  const entry = await entryAt(store, tree, path);
  if (!entry || entry.type !== 'blob' || entry.mode === '120000') return undefined;
  const { blob } = await git.readBlob({ fs, gitdir: store.gitdir, oid: entry.oid, cache: store.cache });
  return blob;
}

/** The text of `path` at `commitOid`, or undefined. */
export async function readTextAt(store: GitStore, commitOid: string, path: string): Promise<string | undefined> {
  const bytes = await readFileAt(store, commitOid, path);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}

/** A new tree: `treeOid` with the file at `path` set to `content` (directories created as needed). */
export async function replaceFile(store: GitStore, treeOid: string | undefined, path: string, content: string): Promise<string> {
  const blob = await git.writeBlob({ fs, gitdir: store.gitdir, blob: Buffer.from(content, 'utf8') });
  return setEntry(store, treeOid, splitPath(path), blob);
}

async function setEntry(store: GitStore, treeOid: string | undefined, parts: string[], blob: string): Promise<string> {
  const [name, ...rest] = parts as [string, ...string[]];
  const entries = treeOid ? await readTreeEntries(store, treeOid) : [];
  const existing = entries.find((e) => e.path === name);
  let item: TreeItem;
  if (rest.length === 0) item = { mode: existing?.mode === '100755' ? '100755' : '100644', path: name, oid: blob, type: 'blob' };
  else {
    const sub = existing?.type === 'tree' ? existing.oid : undefined;
    item = { mode: '040000', path: name, oid: await setEntry(store, sub, rest, blob), type: 'tree' };
  }
  const next = entries.filter((e) => e.path !== name).concat(item);
  return git.writeTree({ fs, gitdir: store.gitdir, tree: next });
}

export interface NewCommit {
  tree: string;
  parents: string[];
  message: string;
  author: GitAuthor;
  /** Commit time, ms since the epoch (from the injected clock). */
  time: number;
}

/** Writes a commit object (no ref is moved). */
export async function writeCommit(store: GitStore, c: NewCommit): Promise<string> {
  const sig = signature(c.author, c.time);
  return git.writeCommit({
    fs,
    gitdir: store.gitdir,
    commit: { message: c.message.endsWith('\n') ? c.message : `${c.message}\n`, tree: c.tree, parent: c.parents, author: sig, committer: sig },
  });
}

/** Points local ref `ref` at `oid` (keeps the objects reachable, and gives pushes a name to send). */
export async function setRef(store: GitStore, ref: string, oid: string): Promise<void> {
  await git.writeRef({ fs, gitdir: store.gitdir, ref, value: oid, force: true });
}

/**
 * A fingerprint of a tree with the file at `path` left out: two commits have the same config
 * exactly when their fingerprints are equal.
 */
async function fingerprintWithout(store: GitStore, treeOid: string, parts: string[]): Promise<string> {
  const entries = await readTreeEntries(store, treeOid);
  const [name, ...rest] = parts as [string, ...string[]];
  const out: string[] = [];
  for (const e of entries) {
    if (e.path !== name) out.push(`${e.mode} ${e.path} ${e.oid}`);
    else if (rest.length > 0 && e.type === 'tree') {
      // A directory left empty without the status file does not exist as far as git is concerned.
      const inner = await fingerprintWithout(store, e.oid, rest);
      if (inner) out.push(`${e.path}/{${inner}}`);
    }
  }
  return out.join('\n');
}

/**
 * The commit whose content the desired state is: walking first parents back from `head`, the last
 * commit that changed the config (the tree under `prefix`, the status file left out). Status
 * commits therefore never move the desired commit, and a status recording it stays current until
 * someone changes the config. Stops after `limit` commits, or at a commit whose parent is not in
 * the store (shallow history).
 */
export async function configCommit(
  store: GitStore,
  head: string,
  statusFile: string,
  opts: { prefix?: string; limit?: number } = {},
): Promise<string> {
  const parts = splitPath(statusFile);
  const prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
  const print = async (commit: CommitData): Promise<string> => {
    if (!prefix) return fingerprintWithout(store, commit.tree, parts);
    const entry = await entryAt(store, commit.tree, prefix);
    return entry?.type === 'tree' ? fingerprintWithout(store, entry.oid, parts) : '';
  };
  let current = await readCommitData(store, head);
  let mine = await print(current);
  for (let i = 0; i < (opts.limit ?? 1000); i++) {
    const parentOid = current.parents[0];
    if (!parentOid) return current.oid;
    let parent: CommitData;
    try {
      parent = await readCommitData(store, parentOid);
    } catch {
      return current.oid;
    }
    const theirs = await print(parent);
    if (theirs !== mine) return current.oid;
    current = parent;
    mine = theirs;
  }
  return current.oid;
}

/** Whether `ancestor` is `oid` or one of its ancestors (both must be in the store). */
export async function isAncestor(store: GitStore, ancestor: string, oid: string): Promise<boolean> {
  if (ancestor === oid) return true;
  try {
    return await git.isDescendent({ fs, gitdir: store.gitdir, cache: store.cache, oid, ancestor, depth: -1 });
  } catch {
    return false;
  }
}
