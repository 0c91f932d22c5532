/**
 * Read-modify-write of the fake cloud's state file, safe across processes.
 *
 * Every transaction holds a cross-process lock (proper-lockfile: an atomic `mkdir` of `<file>.lock`,
 * whose mtime the holder refreshes; a lock older than `stale` is taken over, so a SIGKILLed holder
 * blocks others for seconds, not forever) and replaces the file by write-file-atomic's
 * write-temp-then-rename, so a reader sees either the old or the new file, never half of one.
 * Calls from one process are also queued in memory first: the file lock then only arbitrates between
 * processes, instead of every concurrent call in a process polling for it.
 */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { NavarchError } from '../../model/index.js';
import type { Logger } from '../../log/index.js';
import { emptyState, parseState, serializeState, type FakeState } from './state.js';

/** A lock untouched for this long belongs to a dead process and is taken over. */
const STALE_MS = 5_000;
/** Waiting for the lock spans well over STALE_MS, so a dead holder's lock is always outlived. */
const LOCK_RETRIES = { retries: 200, factor: 1.3, minTimeout: 5, maxTimeout: 150, randomize: true };

/** In-process queues, one per state file, shared by every store object of this process. */
const queues = new Map<string, Promise<unknown>>();

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

/** Reads the state without the lock: safe because writers only ever rename a complete file into place. */
export async function readStateFile(file: string): Promise<FakeState> {
  try {
    return parseState(await readFile(file, 'utf8'), file);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return emptyState();
    throw err;
  }
}

/** The shared state file of one fake cloud. Cheap to create; several may point at the same file. */
export class FakeStateStore {
  readonly file: string;
  private readonly logger: Logger | undefined;

  constructor(file: string, logger?: Logger) {
    this.file = path.resolve(file);
    this.logger = logger;
  }

  /** Reads the current state (no lock; see readStateFile). */
  read(): Promise<FakeState> {
    return readStateFile(this.file);
  }

  /**
   * Runs `fn` on the current state under the lock and writes the state back if `fn` changed it.
   * If `fn` throws, nothing is written: callers that must persist a change and still fail (a
   * failure counter) return the error instead of throwing it.
   */
  transact<T>(fn: (state: FakeState) => T): Promise<T> {
    const previous = queues.get(this.file) ?? Promise.resolve();
    const run = previous.then(
      () => this.locked(fn),
      () => this.locked(fn),
    );
    const tail = run.catch(() => undefined);
    queues.set(this.file, tail);
    void tail.then(() => {
      if (queues.get(this.file) === tail) queues.delete(this.file);
    });
    return run;
  }

  private async locked<T>(fn: (state: FakeState) => T): Promise<T> {
    await mkdir(path.dirname(this.file), { recursive: true });
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.file, {
        realpath: false,
        stale: STALE_MS,
        retries: LOCK_RETRIES,
        onCompromised: (err) => {
          // Only reachable when this process stalled for longer than STALE_MS inside the lock.
          compromised = err;
        },
      });
    } catch (err) {
      throw new NavarchError('provider.fake-locked', `fake cloud state ${this.file} stayed locked by another process`, {
        cause: err,
      });
    }
    try {
      let before = '';
      try {
        before = await readFile(this.file, 'utf8');
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
      const state = parseState(before, this.file);
      const result = fn(state);
      const after = serializeState(state);
      if (after !== before) {
        await this.sweepTempFiles();
        // No fsync: the rename already protects against a killed process, and the fake cloud does
        // not promise to survive a power cut.
        await writeFileAtomic(this.file, after, { fsync: false });
      }
      return result;
    } finally {
      if (compromised) this.logger?.warn({ file: this.file, err: compromised.message }, 'fake cloud state lock was lost');
      await release().catch(() => undefined);
    }
  }

  /**
   * Removes temp files a killed writer left beside the state file. Runs under the lock, before each
   * write, when no other writer can be mid-write; the directory holds a handful of files.
   */
  private async sweepTempFiles(): Promise<void> {
    const dir = path.dirname(this.file);
    const base = path.basename(this.file);
    const leftover = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d+$`);
    for (const name of await readdir(dir)) {
      if (leftover.test(name)) {
        await rm(path.join(dir, name), { force: true });
        this.logger?.debug({ file: name }, 'removed a leftover fake cloud temp file');
      }
    }
  }
}
