/**
 * Where a fleet lock is kept. The lock's rules (one holder, an expiry renewed while it works, take
 * over once expired, force-unlock by id) are the same everywhere; only the compare-and-swap under
 * them differs: a push naming the ref's expected value on a git host, or a write under a short
 * file lock for a plain directory, where nothing is shared but the disk.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Clock } from '../model/index.js';
import type { GitAuthor } from './author.js';
import { withFileLock } from './cache-lock.js';
import { PushRejectedError } from './errors.js';
import { parseLockInfo, serializeLockInfo, type LockInfo } from './lock-info.js';
import { readTextAt, replaceFile, writeCommit } from './objects.js';
import type { GitRemote } from './remote.js';

/** The ref that locks `fleet` on a git host. */
export function lockRefFor(fleet: string): string {
  return `refs/navarch/locks/${fleet}`;
}

/** Where a directory's lock lives, relative to the directory. */
export const DIRECTORY_LOCK_FILE = '.navarch/lock.json';

/** A lock as read from its store. */
export interface CurrentLock {
  /** Changes with every write: the lock commit on a git host, a digest of the lock file on disk. */
  token: string;
  info: LockInfo;
}

/** The storage under a fleet lock: read it, and replace or remove it only if nobody moved it since. */
export interface LockStore {
  /** Names the lock in messages: the ref, or the lock file's path. */
  readonly where: string;
  /**
   * Whether the lock lives on this machine's disk (a directory's) rather than on a host other
   * machines share. A local lock whose holder ran on this host and no longer runs counts as
   * released, so a killed apply never keeps the next one out until its expiry; a shared one is only
   * ever taken over once expired.
   */
  readonly local: boolean;
  /** The `navarch force-unlock` command line that clears `lock` from any directory, exactly as it must be run. */
  unlockCommand(lock: LockInfo): string;
  /** The current lock, or undefined when the fleet is not locked. */
  read(): Promise<CurrentLock | undefined>;
  /** Writes `info` if the lock is still at `expected` (undefined: absent). The new token, or undefined when someone moved it first. */
  write(info: LockInfo, expected: string | undefined, message: string): Promise<string | undefined>;
  /** Removes the lock if it is still at `expected`; false when someone moved it first. */
  remove(expected: string): Promise<boolean>;
}

/** Something unreadable where the lock should be is held forever: only a person may clear it, by this id. */
function unreadable(token: string, fleet: string, what: string): LockInfo {
  return { id: token, holder: `unknown (unreadable ${what})`, command: 'unknown', fleet, started: '?', expires: '9999-12-31T00:00:00.000Z' };
}

/** Quotes a word for a POSIX shell only when it needs it, so the printed command pastes as is. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The lock on `ref` of a git remote: a commit whose tree holds `lock.json`. */
export function refLockStore(remote: GitRemote, ref: string, ctx: { author: GitAuthor; clock: Clock }): LockStore {
  return {
    where: ref,
    local: false,
    unlockCommand: (lock) => {
      // The URL is the remote's credential-free one; the token comes from the environment, as for every --repo.
      const which = ref === lockRefFor(lock.fleet) ? ['--fleet', lock.fleet] : ['--lock-ref', ref];
      return ['navarch', 'force-unlock', lock.id, '--repo', remote.url, ...which].map(shellWord).join(' ');
    },
    async read() {
      const oid = await remote.fetchRef(ref);
      if (oid === undefined) return undefined;
      const text = await readTextAt(remote.store, oid, 'lock.json');
      const info = text === undefined ? undefined : parseLockInfo(text);
      return { token: oid, info: info ?? unreadable(oid, ref.split('/').pop() ?? '', 'lock.json') };
    },
    async write(info, expected, message) {
      const tree = await replaceFile(remote.store, undefined, 'lock.json', serializeLockInfo(info));
      const oid = await writeCommit(remote.store, { tree, parents: expected ? [expected] : [], message, author: ctx.author, time: ctx.clock.now() });
      try {
        await remote.push(ref, oid, expected);
      } catch (err) {
        if (err instanceof PushRejectedError) return undefined;
        throw err;
      }
      return oid;
    },
    async remove(expected) {
      try {
        await remote.delete(ref, expected);
        return true;
      } catch (err) {
        if (err instanceof PushRejectedError) return false;
        throw err;
      }
    },
  };
}

const digest = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;

/**
 * The lock of a plain directory: `.navarch/lock.json` beside its navarch.yaml. Each compare-and-swap
 * runs under a short file lock (the one the git cache uses: a holder that died is recognised by its
 * pid at once), so of two processes racing for the fleet lock exactly one wins.
 */
export function directoryLockStore(dir: string): LockStore {
  const root = resolve(dir);
  const file = join(root, DIRECTORY_LOCK_FILE);
  const mutex = `${file}.swap`;
  const read = async (): Promise<CurrentLock | undefined> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const token = digest(text);
    return { token, info: parseLockInfo(text) ?? unreadable(token, '', DIRECTORY_LOCK_FILE) };
  };
  const swap = async <T>(fn: () => Promise<T>): Promise<T> => {
    await mkdir(join(root, '.navarch'), { recursive: true });
    return withFileLock(mutex, fn);
  };
  return {
    where: file,
    local: true,
    unlockCommand: (lock) => ['navarch', 'force-unlock', lock.id, '--dir', root].map(shellWord).join(' '),
    read,
    write: (info, expected) =>
      swap(async () => {
        if ((await read())?.token !== expected) return undefined;
        const text = serializeLockInfo(info);
        await writeFileAtomic(file, text);
        return digest(text);
      }),
    remove: (expected) =>
      swap(async () => {
        if ((await read())?.token !== expected) return false;
        await rm(file, { force: true });
        return true;
      }),
  };
}
