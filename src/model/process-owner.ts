/**
 * Who holds a lock file: a process on a host. Locks name their holder so a holder that died is
 * recognised at once, and a restart never waits out a timeout for a process that is gone.
 */
import { hostname } from 'node:os';

export interface ProcessOwner {
  pid: number;
  host: string;
}

/** This process, as a lock file records it. */
export function thisProcess(): ProcessOwner {
  return { pid: process.pid, host: hostname() };
}

/**
 * Whether the owner still runs: true or false for a process on this host, undefined when it cannot
 * be checked (another host sharing the file system, or no pid recorded).
 */
export function ownerAlive(owner: Partial<ProcessOwner>): boolean | undefined {
  if (typeof owner.pid !== 'number' || !Number.isInteger(owner.pid)) return undefined;
  if (owner.host !== undefined && owner.host !== hostname()) return undefined;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
