/**
 * When `navarch status --watch` looks again: as soon as the status file changes (a directory,
 * watched with fs.watch on its folder, since the file is replaced by a rename on every write), and
 * every interval: a remote repository's changes cannot be seen coming, a folder's events can be
 * missed (network file systems), and on a terminal the ages move on. Tests pass their own trigger
 * through the CLI context instead.
 */
import { watch as watchFs, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Clock } from '../model/index.js';

/** What to watch: a file on disk, if any, besides a tick every `intervalMs`. */
export interface WatchRequest {
  /** The status file's path, for a directory; undefined for a remote repository. */
  file: string | undefined;
  intervalMs: number;
}

/** A trigger: yields each time the view should be read again; ends when `signal` aborts. */
export type WatchTrigger = (what: WatchRequest, signal: AbortSignal) => AsyncIterable<void>;

/** The real trigger: file events and clock ticks, merged. */
export function systemTrigger(clock: Clock): WatchTrigger {
  return async function* (what, signal) {
    let wake: (() => void) | undefined;
    let pending = false;
    const poke = (): void => {
      pending = true;
      wake?.();
    };
    const file = what.file;
    let watcher: FSWatcher | undefined;
    try {
      watcher = file ? watchFs(dirname(file), (_event, name) => (name === null || name === basename(file) ? poke() : undefined)) : undefined;
    } catch {
      // A folder that cannot be watched is read again on the interval instead.
      watcher = undefined;
    }
    watcher?.on('error', () => undefined);
    const tick = async (): Promise<void> => {
      while (!signal.aborted) {
        await clock.sleep(what.intervalMs, signal).catch(() => undefined);
        if (!signal.aborted) poke();
      }
    };
    void tick();
    const stop = (): void => wake?.();
    signal.addEventListener('abort', stop, { once: true });
    try {
      while (!signal.aborted) {
        if (!pending) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (signal.aborted) return;
        pending = false;
        yield;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      watcher?.close();
    }
  };
}
