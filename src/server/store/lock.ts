/**
 * One control plane per store: a lock file holding the owner's pid. A lock left by a process that
 * no longer runs (killed, crashed, machine rebooted) is taken over, so a restart never waits.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { NavarchError, ownerAlive, thisProcess, type ProcessOwner } from '../../model/index.js';

/** Takes the lock at `path`; returns its release. Throws `store.locked` naming the live owner. */
export function lockStore(path: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(thisProcess()));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner: Partial<ProcessOwner> = {};
      try {
        owner = JSON.parse(readFileSync(path, 'utf8')) as typeof owner;
      } catch {
        // A half-written lock file: its writer died mid-write.
      }
      const sameHost = owner.host === undefined || owner.host === hostname();
      // A live owner, or one on another host that cannot be checked, keeps the store.
      if (typeof owner.pid === 'number' && ownerAlive(owner) !== false) {
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
