/**
 * One applier per fleet. On a git host the lock is a ref (by default `refs/navarch/locks/<fleet>`)
 * pointing at a commit whose tree holds `lock.json`; for a plain directory it is
 * `.navarch/lock.json`. Acquiring, renewing and taking over an expired lock are compare-and-swaps on
 * that store (a push naming the ref's expected old value, or a write under a file lock), so of two
 * racing processes exactly one wins; releasing removes it the same way. The holder renews the
 * expiry while it works; a killed holder stops renewing and its lock expires.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index.js';
import { formatDuration, ownerAlive, thisProcess, type Clock } from '../model/index.js';
import { GitError } from './errors.js';
import { describeLock, type LockInfo } from './lock-info.js';
import type { CurrentLock, LockStore } from './lock-store.js';

/** Default time a lock stays valid without renewal. */
export const DEFAULT_LOCK_TTL_MS = 5 * 60_000;

/** The fleet is locked by someone else (and waiting, if allowed, did not help). */
export class LockBusyError extends GitError {
  readonly lock: LockInfo;
  constructor(lock: LockInfo, now: number, store: LockStore, waitedMs: number) {
    const waited = waitedMs > 0 ? ` (waited ${formatDuration(waitedMs)})` : '';
    super(
      'git.locked',
      `fleet "${lock.fleet}" is locked by ${describeLock(lock, now)}${waited}. ` +
        `Wait for it with --lock-timeout DURATION, or, if that run is dead, clear it with \`${store.unlockCommand(lock)}\`.`,
      { details: { lock, where: store.where } },
    );
    this.lock = lock;
  }
}

export interface LockContext {
  store: LockStore;
  clock: Clock;
  logger?: Logger;
}

/** The lock in `store`, or undefined when the fleet is not locked. */
export function readLock(store: LockStore): Promise<CurrentLock | undefined> {
  return store.read();
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
  /** Called when a lock is taken over: expired, or (`gone`) held by a process of this host that no longer runs. */
  onTakeOver?: (lock: LockInfo, why: 'expired' | 'gone') => void;
  random?: () => number;
}

/** Acquires the fleet lock, waiting up to `timeoutMs` for a busy one; takes over an expired one. */
export async function acquireLock(opts: AcquireOptions): Promise<HeldLock> {
  const { clock, store } = opts;
  const ttl = opts.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const id = randomUUID();
  const start = clock.now();
  const random = opts.random ?? Math.random;
  for (;;) {
    opts.signal?.throwIfAborted();
    const current = await store.read();
    const now = clock.now();
    if (current?.info.id === id) return new HeldLock(opts, current.info, current.token, ttl);
    const gone = current !== undefined && store.local && holderGone(current.info);
    if (current && !gone && Date.parse(current.info.expires) > now) {
      const waited = now - start;
      const left = (opts.timeoutMs ?? 0) - waited;
      // Without a timeout nothing was waited for, however long the read itself took.
      if (left <= 0) throw new LockBusyError(current.info, now, store, opts.timeoutMs ? waited : 0);
      opts.onWait?.(current.info);
      await clock.sleep(Math.min(left, Math.round(1000 + 1000 * random())), opts.signal);
      continue;
    }
    const { pid, host } = thisProcess();
    const info: LockInfo = {
      id,
      holder: opts.holder,
      command: opts.command,
      fleet: opts.fleet,
      started: new Date(now).toISOString(),
      expires: new Date(now + ttl).toISOString(),
      pid,
      host,
    };
    const message = current
      ? `navarch: take over ${gone ? 'abandoned' : 'expired'} lock ${current.info.id} of ${current.info.holder}\n\nlock ${id} by ${opts.holder} (${opts.command})`
      : `navarch: lock fleet ${opts.fleet}\n\nlock ${id} by ${opts.holder} (${opts.command})`;
    const token = await store.write(info, current?.token, message);
    if (token === undefined) continue; // someone else moved it first: look again
    if (current) {
      if (gone) opts.logger?.info({ lock: current.info }, 'took over the fleet lock of a process that is gone');
      else opts.logger?.warn({ lock: current.info }, 'took over an expired fleet lock');
      opts.onTakeOver?.(current.info, gone ? 'gone' : 'expired');
    }
    return new HeldLock(opts, info, token, ttl);
  }
}

/** True only when the holder is known to have run on this host and is not running now. */
function holderGone(info: LockInfo): boolean {
  if (info.pid === undefined || info.host === undefined) return false;
  return ownerAlive({ pid: info.pid, host: info.host }) === false;
}

/** A lock this process holds. Renew it while working (or start the heartbeat); release it at the end. */
export class HeldLock {
  info: LockInfo;
  private token: string;
  private readonly lostController = new AbortController();
  private readonly stopController = new AbortController();
  private heartbeat: Promise<void> | undefined;
  private released = false;

  constructor(
    private readonly ctx: LockContext,
    info: LockInfo,
    token: string,
    private readonly ttlMs: number,
  ) {
    this.info = info;
    this.token = token;
  }

  get id(): string {
    return this.info.id;
  }

  /** Aborts (with a `git.lock-lost` error) when the lock was taken by someone else or could not be renewed in time. */
  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  /** Writes a new expiry. Throws the `git.lock-lost` error (and marks the lock lost) if someone else moved the lock. */
  async renew(): Promise<void> {
    const now = this.ctx.clock.now();
    const info = { ...this.info, expires: new Date(now + this.ttlMs).toISOString() };
    const token = await this.ctx.store.write(info, this.token, `navarch: renew lock ${info.id}`);
    if (token === undefined) {
      this.markLost('someone else moved the lock (taken over or force-unlocked)');
      throw this.lost.reason;
    }
    this.info = info;
    this.token = token;
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
   * Stops renewing and removes the lock if it is still ours. Returns false when it was not
   * (taken over or force-unlocked meanwhile): then nothing is removed.
   */
  async release(): Promise<boolean> {
    if (this.released) return true;
    this.released = true;
    this.stopController.abort();
    await this.heartbeat;
    if (this.lost.aborted) return false;
    return this.ctx.store.remove(this.token);
  }
}

/**
 * Removes the lock in `store` if its id is `id`. Refuses (`git.lock-mismatch`) when the fleet is
 * locked under another id, and says so when it is not locked at all.
 */
export async function forceUnlock(store: LockStore, id: string): Promise<LockInfo> {
  const current = await store.read();
  if (!current) throw new GitError('git.not-locked', `nothing to unlock: there is no lock at ${store.where}`, { details: { where: store.where } });
  if (current.info.id !== id) {
    throw new GitError(
      'git.lock-mismatch',
      `refusing to unlock: the current lock on ${store.where} has id ${current.info.id} (held by ${current.info.holder}), not ${id}`,
      { details: { where: store.where, current: current.info } },
    );
  }
  if (!(await store.remove(current.token))) {
    throw new GitError('git.lock-moved', `the lock on ${store.where} changed while it was being removed; look again with \`navarch status\``, { details: { where: store.where } });
  }
  return current.info;
}
