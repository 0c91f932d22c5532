/**
 * One applier per fleet, with nothing but the git host: the lock is a ref (by default
 * `refs/navarch/locks/<fleet>`) pointing at a commit whose tree holds `lock.json`. Acquiring,
 * renewing and taking over an expired lock are pushes that name the ref's expected old value, so
 * of two racing processes exactly one wins; releasing deletes the ref the same way. The holder
 * renews the expiry while it works; a killed holder stops renewing and its lock expires.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index.js';
import { formatDuration, type Clock } from '../model/index.js';
import type { GitAuthor } from './author.js';
import { GitError, PushRejectedError } from './errors.js';
import { describeLock, parseLockInfo, serializeLockInfo, type LockInfo } from './lock-info.js';
import { readTextAt, replaceFile, writeCommit } from './objects.js';
import type { GitRemote } from './remote.js';

/** Default time a lock stays valid without renewal. */
export const DEFAULT_LOCK_TTL_MS = 5 * 60_000;

/** The ref that locks `fleet`. */
export function lockRefFor(fleet: string): string {
  return `refs/navarch/locks/${fleet}`;
}

/** The fleet is locked by someone else (and waiting, if allowed, did not help). */
export class LockBusyError extends GitError {
  readonly lock: LockInfo;
  constructor(lock: LockInfo, now: number, ref: string, waitedMs: number) {
    const waited = waitedMs > 0 ? ` (waited ${formatDuration(waitedMs)})` : '';
    super(
      'git.locked',
      `fleet "${lock.fleet}" is locked by ${describeLock(lock, now)}${waited}. ` +
        `Wait for it with --lock-timeout DURATION, or, if that run is dead, clear it with \`navarch force-unlock ${lock.id}\`.`,
      { details: { lock, ref } },
    );
    this.lock = lock;
  }
}

/** A lock as read from the remote. */
export interface CurrentLock {
  /** The lock commit. */
  oid: string;
  info: LockInfo;
}

export interface LockContext {
  remote: GitRemote;
  ref: string;
  author: GitAuthor;
  clock: Clock;
  logger?: Logger;
}

/** The lock on `ref`, or undefined when the fleet is not locked. */
export async function readLock(remote: GitRemote, ref: string): Promise<CurrentLock | undefined> {
  const oid = await remote.fetchRef(ref);
  if (oid === undefined) return undefined;
  const text = await readTextAt(remote.store, oid, 'lock.json');
  const info = text === undefined ? undefined : parseLockInfo(text);
  // Something unreadable on the lock ref is treated as held forever: only a person may clear it.
  return {
    oid,
    info: info ?? { id: oid, holder: 'unknown (unreadable lock.json)', command: 'unknown', fleet: ref.split('/').pop() ?? '', started: '?', expires: '9999-12-31T00:00:00.000Z' },
  };
}

async function lockCommit(ctx: LockContext, info: LockInfo, parent: string | undefined, message: string): Promise<string> {
  const tree = await replaceFile(ctx.remote.store, undefined, 'lock.json', serializeLockInfo(info));
  return writeCommit(ctx.remote.store, { tree, parents: parent ? [parent] : [], message, author: ctx.author, time: ctx.clock.now() });
}

export interface AcquireOptions extends LockContext {
  fleet: string;
  holder: string;
  command: string;
  ttlMs?: number;
  /** How long to wait for a busy lock; 0 fails at once. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called each time the lock is found busy while waiting. */
  onWait?: (lock: LockInfo) => void;
  /** Called when an expired lock is taken over. */
  onTakeOver?: (lock: LockInfo) => void;
  random?: () => number;
}

/** Acquires the fleet lock, waiting up to `timeoutMs` for a busy one; takes over an expired one. */
export async function acquireLock(opts: AcquireOptions): Promise<HeldLock> {
  const { clock } = opts;
  const ttl = opts.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const id = randomUUID();
  const start = clock.now();
  const random = opts.random ?? Math.random;
  for (;;) {
    opts.signal?.throwIfAborted();
    const current = await readLock(opts.remote, opts.ref);
    const now = clock.now();
    if (current?.info.id === id) return new HeldLock(opts, current.info, current.oid, ttl);
    if (current && Date.parse(current.info.expires) > now) {
      const waited = now - start;
      const left = (opts.timeoutMs ?? 0) - waited;
      if (left <= 0) throw new LockBusyError(current.info, now, opts.ref, waited);
      opts.onWait?.(current.info);
      await clock.sleep(Math.min(left, Math.round(1000 + 1000 * random())), opts.signal);
      continue;
    }
    const info: LockInfo = {
      id,
      holder: opts.holder,
      command: opts.command,
      fleet: opts.fleet,
      started: new Date(now).toISOString(),
      expires: new Date(now + ttl).toISOString(),
    };
    const message = current
      ? `navarch: take over expired lock ${current.info.id} of ${current.info.holder}\n\nlock ${id} by ${opts.holder} (${opts.command})`
      : `navarch: lock fleet ${opts.fleet}\n\nlock ${id} by ${opts.holder} (${opts.command})`;
    const oid = await lockCommit(opts, info, current?.oid, message);
    try {
      await opts.remote.push(opts.ref, oid, current?.oid);
    } catch (err) {
      if (err instanceof PushRejectedError) continue; // someone else moved it first: look again
      throw err;
    }
    if (current) {
      opts.logger?.warn({ lock: current.info }, 'took over an expired fleet lock');
      opts.onTakeOver?.(current.info);
    }
    return new HeldLock(opts, info, oid, ttl);
  }
}

/** A lock this process holds. Renew it while working (or start the heartbeat); release it at the end. */
export class HeldLock {
  info: LockInfo;
  private oid: string;
  private readonly lostController = new AbortController();
  private readonly stopController = new AbortController();
  private heartbeat: Promise<void> | undefined;
  private released = false;

  constructor(
    private readonly ctx: LockContext,
    info: LockInfo,
    oid: string,
    private readonly ttlMs: number,
  ) {
    this.info = info;
    this.oid = oid;
  }

  get id(): string {
    return this.info.id;
  }

  /** Aborts (with a `git.lock-lost` error) when the lock was taken by someone else or could not be renewed in time. */
  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  /** Pushes a new expiry. Throws PushRejectedError (and marks the lock lost) if someone else moved the lock. */
  async renew(): Promise<void> {
    const now = this.ctx.clock.now();
    const info = { ...this.info, expires: new Date(now + this.ttlMs).toISOString() };
    const oid = await lockCommit(this.ctx, info, this.oid, `navarch: renew lock ${info.id}`);
    try {
      await this.ctx.remote.push(this.ctx.ref, oid, this.oid);
    } catch (err) {
      if (err instanceof PushRejectedError) this.markLost('someone else moved the lock ref (taken over or force-unlocked)');
      throw err;
    }
    this.info = info;
    this.oid = oid;
  }

  /** Renews every third of the lock's lifetime until released or lost. */
  startHeartbeat(): void {
    if (this.heartbeat) return;
    const stop = this.stopController.signal;
    this.heartbeat = (async () => {
      while (!stop.aborted && !this.lost.aborted) {
        try {
          await this.ctx.clock.sleep(Math.max(1, Math.floor(this.ttlMs / 3)), stop);
        } catch {
          return;
        }
        try {
          await this.renew();
        } catch (err) {
          if (this.lost.aborted) return;
          // A network blip is survivable until the expiry itself passes.
          this.ctx.logger?.warn({ err }, 'could not renew the fleet lock; retrying');
          if (this.ctx.clock.now() >= Date.parse(this.info.expires)) this.markLost('it expired before it could be renewed');
        }
      }
    })();
  }

  private markLost(why: string): void {
    if (this.lostController.signal.aborted) return;
    this.ctx.logger?.error({ lock: this.info }, `lost the fleet lock: ${why}`);
    this.lostController.abort(new GitError('git.lock-lost', `lost the fleet lock ${this.info.id}: ${why}; nothing new was started`));
  }

  /**
   * Stops renewing and deletes the lock ref if it is still ours. Returns false when it was not
   * (taken over or force-unlocked meanwhile): then nothing is deleted.
   */
  async release(): Promise<boolean> {
    if (this.released) return true;
    this.released = true;
    this.stopController.abort();
    await this.heartbeat;
    if (this.lost.aborted) return false;
    try {
      await this.ctx.remote.delete(this.ctx.ref, this.oid);
      return true;
    } catch (err) {
      if (err instanceof PushRejectedError) return false;
      throw err;
    }
  }
}

/**
 * Deletes the lock on `ref` if its id is `id`. Refuses (`git.lock-mismatch`) when the fleet is
 * locked under another id, and says so when it is not locked at all.
 */
export async function forceUnlock(remote: GitRemote, ref: string, id: string): Promise<LockInfo> {
  const current = await readLock(remote, ref);
  if (!current) throw new GitError('git.not-locked', `nothing to unlock: ${ref} does not exist on ${remote.url}`, { details: { ref } });
  if (current.info.id !== id) {
    throw new GitError(
      'git.lock-mismatch',
      `refusing to unlock: the current lock on ${ref} has id ${current.info.id} (held by ${current.info.holder}), not ${id}`,
      { details: { ref, current: current.info } },
    );
  }
  await remote.delete(ref, current.oid);
  return current.info;
}
