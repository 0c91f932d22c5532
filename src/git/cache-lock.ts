/**
 * A lock between processes on one machine, for short critical sections over the cache's git
 * directory (isomorphic-git does not write objects atomically). Taking it is an atomic hard link of
 * a file naming the holder (pid and host); a holder that died is recognised at once by its pid, so
 * a killed run never makes the next one wait. A holder on another host (a shared file system) is
 * presumed dead only once its lock is very old.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { NavarchError, ownerAlive, systemClock, thisProcess, type ProcessOwner } from '../model/index.js';


export interface FileLockOptions {
  /** Give up after waiting this long (default 2 minutes). */
  timeoutMs?: number;
  /** Age after which a lock whose holder cannot be checked is broken (default 10 minutes). */
  staleMs?: number;
}

const suffix = (): string => randomBytes(6).toString('hex');

/** Breaks the lock at `path` if its holder is gone; true when the caller should try again at once. */
async function breakIfStale(path: string, staleMs: number): Promise<boolean> {
  let ino: number;
  let mtime: number;
  let owner: ProcessOwner | undefined;
  try {
    const st = await stat(path);
    ino = st.ino;
    mtime = st.mtimeMs;
    owner = JSON.parse(await readFile(path, 'utf8')) as ProcessOwner;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    if (!(err instanceof SyntaxError)) throw err;
    return false;
  }
  // A holder on another host cannot be checked: it is presumed dead only once its lock is very old.
  const running = owner ? ownerAlive(owner) : undefined;
  const dead = running === undefined ? Date.now() - mtime > staleMs : !running;
  if (!dead) return false;
  const aside = `${path}.stale.${suffix()}`;
  try {
    await rename(path, aside);
  } catch {
    return true; // someone else broke it first
  }
  // Between our look and the rename another process may have broken it and taken it: put theirs back.
  if ((await stat(aside)).ino !== ino) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
  return true;
}

/** Runs `fn` holding the lock file at `path`. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const mine = `${path}.${process.pid}.${suffix()}`;
  await writeFile(mine, JSON.stringify(thisProcess()));
  try {
    const start = Date.now();
    for (;;) {
      try {
        await link(mine, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (await breakIfStale(path, opts.staleMs ?? 10 * 60_000)) continue;
      if (Date.now() - start > (opts.timeoutMs ?? 120_000)) {
        throw new NavarchError('git.cache-locked', `${path} has been held by another navarch process for over ${Math.round((Date.now() - start) / 1000)}s`);
      }
      await systemClock.sleep(20 + Math.floor(Math.random() * 60));
    }
    try {
      return await fn();
    } finally {
      // Only our own lock is removed (same inode as our file).
      const [a, b] = await Promise.all([stat(path).catch(() => undefined), stat(mine).catch(() => undefined)]);
      if (a && b && a.ino === b.ino) await rm(path, { force: true });
    }
  } finally {
    await rm(mine, { force: true });
  }
}
