/**
 * Following the kernel log: `/dev/kmsg` (the default), a plain file followed like `tail -F`
 * (rotation and truncation included), or `journalctl -k -f`. Each source calls `onLine` for every
 * new line and runs until its signal aborts; `superviseLog` restarts a source that fails.
 */
import { spawn } from 'node:child_process';
import { constants, watch, type FSWatcher, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { backoffMs, type Clock } from '../../src/model/index.js';
import type { Logger } from '../../src/log/index.js';
import { parseKmsgRecord } from './kmsg.js';

export interface LogLine {
  text: string;
  /** The kmsg sequence number, for `/dev/kmsg` records. */
  seq?: number;
}

export interface KernelLogSource {
  /** What is followed, for logs. */
  readonly describe: string;
  follow(onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void>;
}

/** Resolves after `ms` or when `signal` aborts (never rejects). */
function pause(ms: number, signal: AbortSignal, wake?: { promise: Promise<void> }): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    void wake?.promise.then(done);
  });
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * `/dev/kmsg`, read without blocking: each read returns one record; EAGAIN means none is waiting,
 * EPIPE that the ring buffer overwrote records before they were read (reading continues).
 * Reading starts at the oldest record the ring buffer holds, so XIDs logged before the agent
 * started are seen; `afterSeq` skips what an earlier run of the agent already read.
 */
export class KmsgSource implements KernelLogSource {
  readonly describe: string;
  constructor(
    private readonly path: string,
    private readonly opts: { pollMs: number; afterSeq?: number; log: Logger },
  ) {
    this.describe = path;
  }

  async follow(onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    const fh = await open(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    const buf = Buffer.alloc(16 * 1024);
    let afterSeq = this.opts.afterSeq ?? -1;
    try {
      while (!signal.aborted) {
        let n: number;
        try {
          n = (await fh.read(buf, 0, buf.length, null)).bytesRead;
        } catch (err) {
          if (errCode(err) === 'EAGAIN') {
            await pause(this.opts.pollMs, signal);
            continue;
          }
          if (errCode(err) === 'EPIPE') {
            this.opts.log.warn({ path: this.path }, 'kernel log records were overwritten before they were read');
            continue;
          }
          throw err;
        }
        if (n === 0) {
          await pause(this.opts.pollMs, signal);
          continue;
        }
        const rec = parseKmsgRecord(buf.toString('utf8', 0, n));
        if (!rec || rec.seq <= afterSeq) continue;
        afterSeq = rec.seq;
        onLine({ text: rec.message, seq: rec.seq });
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
}

/**
 * A plain file followed like `tail -F`: from its end (or its start with `fromStart`), across
 * rotation (a new inode is read from its start) and truncation. A file that does not exist yet is
 * waited for. Directory change notifications wake the reader early; polling is the fallback.
 */
export class FileSource implements KernelLogSource {
  readonly describe: string;
  constructor(
    private readonly path: string,
    private readonly opts: { pollMs: number; fromStart: boolean; log: Logger },
  ) {
    this.describe = path;
  }

  async follow(onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    let fh: FileHandle | undefined;
    let ino = -1;
    let offset = 0;
    let partial = '';
    let first = true;
    let wake = deferred();
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(dirname(this.path), { persistent: false }, (_event, name) => {
        if (name === null || name === basename(this.path)) wake.resolve();
      });
      watcher.on('error', () => undefined);
    } catch {
      // no notifications (e.g. the directory is missing): polling alone
    }
    const emit = (chunk: string): void => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) if (p.trim() !== '') onLine({ text: p });
    };
    const drain = async (handle: FileHandle, upto?: number): Promise<void> => {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const want = upto === undefined ? buf.length : Math.min(buf.length, upto - offset);
        if (want <= 0) return;
        const { bytesRead } = await handle.read(buf, 0, want, offset);
        if (bytesRead === 0) return;
        offset += bytesRead;
        emit(buf.toString('utf8', 0, bytesRead));
      }
    };
    try {
      while (!signal.aborted) {
        let st: Stats | undefined;
        try {
          st = await stat(this.path);
        } catch (err) {
          if (errCode(err) !== 'ENOENT') throw err;
        }
        if (st && st.ino !== ino) {
          // Rotated (or appeared): finish the old file, then read the new one from its start.
          if (fh) {
            await drain(fh).catch(() => undefined);
            await fh.close().catch(() => undefined);
          }
          fh = await open(this.path, 'r');
          ino = st.ino;
          offset = first && !this.opts.fromStart ? st.size : 0;
          partial = '';
        }
        first = false;
        if (fh && st) {
          if (st.size < offset) {
            offset = 0; // truncated in place
            partial = '';
          }
          await drain(fh, st.size);
        }
        await pause(this.opts.pollMs, signal, wake);
        wake = deferred();
      }
    } finally {
      watcher?.close();
      await fh?.close().catch(() => undefined);
    }
  }
}

/** `journalctl -k -b -f -o short-iso -n all`: this boot's kernel messages, then new ones as they come. */
export class JournalSource implements KernelLogSource {
  readonly describe = 'journalctl -k';
  constructor(private readonly journalctl = 'journalctl') {}

  follow(onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.journalctl, ['-k', '-b', '-f', '-o', 'short-iso', '-n', 'all', '--no-pager'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let partial = '';
      let stderr = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const p of parts) if (p.trim() !== '' && !p.startsWith('-- ')) onLine({ text: p });
      });
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      const onAbort = (): void => void child.kill('SIGTERM');
      signal.addEventListener('abort', onAbort, { once: true });
      child.on('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
      child.on('close', (code) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) resolve();
        else reject(new Error(`journalctl exited with ${code}${stderr ? `: ${stderr.trim()}` : ''}`));
      });
    });
  }
}

/** Picks the source for `path`: a character device is read as kmsg, anything else is followed as a file. */
export async function kernelLogSource(opts: {
  path: string;
  journal: boolean;
  journalctl?: string;
  fromStart: boolean;
  afterSeq?: number;
  pollMs: number;
  log: Logger;
}): Promise<KernelLogSource> {
  if (opts.journal) return new JournalSource(opts.journalctl);
  const st = await stat(opts.path).catch(() => undefined);
  if (st?.isCharacterDevice()) {
    return new KmsgSource(opts.path, { pollMs: opts.pollMs, log: opts.log, ...(opts.afterSeq === undefined ? {} : { afterSeq: opts.afterSeq }) });
  }
  return new FileSource(opts.path, { pollMs: opts.pollMs, fromStart: opts.fromStart, log: opts.log });
}

/** Runs `source` until `signal` aborts, restarting it with backoff when it fails. */
export async function superviseLog(
  source: KernelLogSource,
  onLine: (line: LogLine) => void,
  signal: AbortSignal,
  deps: { clock: Clock; log: Logger; onError?: (err: unknown) => void; onStart?: () => void },
): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      if (failures > 0) deps.onStart?.();
      await source.follow(onLine, signal);
      failures = 0;
    } catch (err) {
      failures++;
      deps.onError?.(err);
      const wait = backoffMs(failures, { baseMs: 1000, maxMs: 30_000 });
      deps.log.error({ source: source.describe, err: err instanceof Error ? err.message : String(err), retryMs: wait }, 'cannot read the kernel log');
      await deps.clock.sleep(wait, signal).catch(() => undefined);
    }
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
