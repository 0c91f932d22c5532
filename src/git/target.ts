/**
 * Where the config comes from and where the status goes, behind one interface: a remote
 * repository fetched into the cache (`--repo`), or a working clone on disk (`--dir --commit`).
 */
import { resolve } from 'node:path';
import { directorySource, readRepositoryFile, type ConfigSource } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { Clock } from '../model/index.js';
import { parseRemote } from './auth.js';
import type { GitAuthor } from './author.js';
import { repoCache, withCacheLock } from './cache.js';
import { commitSource } from './commit-source.js';
import { GitError, PushRejectedError } from './errors.js';
import { LocalRepo } from './local.js';
import { directoryLockStore, refLockStore, type LockStore } from './lock-store.js';
import { configCommit, isAncestor, readTextAt } from './objects.js';
import { publishFile } from './publish.js';
import { GitRemote } from './remote.js';
import { statusChanged } from './status-change.js';

/** The config as read at one moment. */
export interface TargetSnapshot {
  /** The commit read (remote: the fetched head; local: HEAD). */
  head: string;
  branch: string;
  source: ConfigSource;
  /** The status file's text as this snapshot has it, or undefined. */
  readStatus(path: string): Promise<string | undefined>;
  /** The commit the desired state is (status-only commits skipped). */
  desiredCommit(statusFile: string): Promise<string | undefined>;
}

/** What publishing the status did. */
export interface PublishOutcome {
  /** False when the status said nothing new (only timestamps moved): nothing was committed. */
  changed: boolean;
  /** The status commit, when one was made. */
  commit: string | undefined;
  pushed: boolean;
  /** Pushes tried (more than one: the branch moved and the change was re-applied on its new head). */
  attempts: number;
  /** Something the user should know (e.g. the local branch is now behind its upstream). */
  note: string | undefined;
}

export interface ConfigTarget {
  /** Names the config in messages (credential-free). */
  readonly label: string;
  /** Directory for local state (provider files, capacity memory); remote: in the cache. */
  readonly workdir: string;
  /** Whether apply writes the status file into `workdir` (local) or only hands it to `publish` (remote). */
  readonly statusOnDisk: boolean;
  sync(): Promise<TargetSnapshot>;
  /** Where the fleet lock lives: `ref` on the remote the status goes to, or the directory itself when nothing is shared. */
  lockStore(opts: LockStoreOptions): Promise<LockStore>;
  publish(snap: TargetSnapshot, path: string, content: string, message: string): Promise<PublishOutcome>;
}

/** What a target needs to build its lock store. */
export interface LockStoreOptions {
  /** The lock ref on a remote (`refs/navarch/locks/<fleet>` unless given); a directory has one lock file. */
  ref: string;
  /** Author of lock commits. */
  author: GitAuthor;
  clock: Clock;
}

export interface TargetContext {
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  author: GitAuthor;
  logger?: Logger;
}

const UNCHANGED: PublishOutcome = { changed: false, commit: undefined, pushed: false, attempts: 0, note: undefined };

/** A remote repository (`--repo URL [--ref BRANCH]`), cached under `cacheDir`. */
export async function remoteTarget(repo: string, branch: string | undefined, cacheDir: string, ctx: TargetContext): Promise<ConfigTarget> {
  const { url, auth } = parseRemote(repo, ctx.env);
  const cache = repoCache(cacheDir, url);
  const remote = await withCacheLock(cache.dir, () => GitRemote.open({ url, auth, gitdir: cache.gitdir, clock: ctx.clock }));
  const root = url.replace(/\/+$/, '').replace(/\.git$/, '');
  let resolvedBranch = branch;
  return {
    get label() {
      return `${url} (${resolvedBranch ?? 'default branch'})`;
    },
    workdir: cache.workdir,
    statusOnDisk: false,
    async sync() {
      const fetched = await withCacheLock(cache.dir, () => remote.fetchBranch(resolvedBranch));
      resolvedBranch = fetched.branch;
      ctx.logger?.info({ url, branch: fetched.branch, head: fetched.oid }, 'fetched the config repository');
      return {
        head: fetched.oid,
        branch: fetched.branch,
        source: commitSource(remote.store, fetched.oid, root),
        readStatus: (path) => readTextAt(remote.store, fetched.oid, path),
        desiredCommit: (statusFile) => configCommit(remote.store, fetched.oid, statusFile),
      };
    },
    lockStore: async (o) => refLockStore(remote, o.ref, o),
    async publish(snap, path, content, message) {
      if (!statusChanged(await snap.readStatus(path), content)) return UNCHANGED;
      const r = await withCacheLock(cache.dir, () =>
        publishFile({ remote, branch: snap.branch, base: snap.head, path, content, message, author: ctx.author, clock: ctx.clock, ...(ctx.logger ? { logger: ctx.logger } : {}) }),
      );
      return { changed: true, commit: r.commit, pushed: r.pushed, attempts: r.attempts, note: undefined };
    },
  };
}

/** A working clone on disk (`--dir DIR --commit [--push]`). */
export async function localTarget(dir: string, push: boolean, ctx: TargetContext): Promise<ConfigTarget> {
  const repo = await LocalRepo.open(dir);
  const root = resolve(dir);
  let upstream: Awaited<ReturnType<LocalRepo['upstream']>> | undefined;
  const getUpstream = async (): Promise<typeof upstream> => (push ? (upstream ??= await repo.upstream(ctx.env, ctx.clock)) : undefined);
  return {
    label: root,
    workdir: root,
    statusOnDisk: true,
    async sync() {
      const head = await repo.head();
      const branch = await repo.branch();
      return {
        head,
        branch,
        source: directorySource(root),
        readStatus: (path) => readRepositoryFile(root, path),
        desiredCommit: (statusFile) => repo.desiredCommit(statusFile),
      };
    },
    // Without --push nothing is shared but this clone: its directory holds the lock, as a plain directory's does.
    lockStore: async (o) => {
      const up = await getUpstream();
      return up ? refLockStore(up.remote, o.ref, o) : directoryLockStore(root);
    },
    async publish(snap, path, content, message) {
      const committed = await readTextAt(repo.store, snap.head, repo.path(path));
      if (!statusChanged(committed, content)) return UNCHANGED;
      const commit = await repo.commitFile(path, content, message, ctx.author, ctx.clock);
      const up = await getUpstream();
      if (!up || commit === undefined) return { changed: true, commit, pushed: false, attempts: 0, note: undefined };
      return pushLocal(repo, up.remote, up.branch, snap.head, commit, repo.path(path), content, message, ctx);
    },
  };
}

/**
 * Pushes a local status commit. When the upstream moved on from the commit the status reflects,
 * the status change is re-applied on the upstream's head instead, and the local branch is left for
 * the user to pull (it is never moved under their working tree).
 */
async function pushLocal(
  repo: LocalRepo,
  remote: GitRemote,
  branch: string,
  head: string,
  commit: string,
  path: string,
  content: string,
  message: string,
  ctx: TargetContext,
): Promise<PublishOutcome> {
  const upstream = (await remote.fetchBranch(branch)).oid;
  if (await isAncestor(repo.store, upstream, commit)) {
    try {
      await remote.push(`refs/heads/${branch}`, commit, upstream);
      return { changed: true, commit, pushed: true, attempts: 1, note: undefined };
    } catch (err) {
      if (!(err instanceof PushRejectedError)) throw err;
    }
  }
  const latest = (await remote.fetchBranch(branch)).oid;
  if (!(await isAncestor(repo.store, head, latest))) {
    throw new GitError(
      'git.diverged',
      `the status was committed locally (${commit.slice(0, 7)}) but not pushed: ${branch} on ${remote.url} has commits this clone does not, ` +
        `and this clone has commits it does not. Pull (git pull --rebase), then push.`,
    );
  }
  const r = await publishFile({ remote, branch, base: latest, path, content, message, author: ctx.author, clock: ctx.clock, ...(ctx.logger ? { logger: ctx.logger } : {}) });
  return {
    changed: true,
    commit: r.commit,
    pushed: r.pushed,
    attempts: r.attempts + 1,
    note: `${branch} moved on ${remote.url}; the status was pushed as ${r.commit.slice(0, 7)} on its new head. Run \`git pull\` to bring this clone up to date.`,
  };
}
