/**
 * One control plane per store: a lock file holding the owner's pid. A lock left by a process that
 * no longer runs (killed, crashed, machine rebooted) is taken over, so a restart never waits.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { NavarchError } from '../../model/index.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock at `path`; returns its release. Throws `store.locked` naming the live owner. */
export function lockStore(path: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner: { pid?: number; host?: string } = {};
      try {
        owner = JSON.parse(readFileSync(path, 'utf8')) as typeof owner;
      } catch {
        // A half-written lock file: its writer died mid-write.
      }
      const sameHost = owner.host === undefined || owner.host === hostname();
      if (typeof owner.pid === 'number' && (!sameHost || alive(owner.pid))) {
        throw new NavarchError(
          'store.locked',
          `another navarch serve (pid ${owner.pid}${sameHost ? '' : ` on ${owner.host ?? '?'}`}) is using this store; only one control plane may act on a fleet at a time (lock: ${path})`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new NavarchError('store.locked', `could not take the store lock ${path}`);
}
