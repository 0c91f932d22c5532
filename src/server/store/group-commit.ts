/**
 * Group commit: writes queued during one turn of the event loop share one transaction (one fsync),
 * each inside its own savepoint so a failing write rolls back alone. A caller's promise settles
 * only once its write is durable, so a reply never acknowledges something a crash could lose.
 */
import { setImmediate } from 'node:timers';
import type { Database } from 'node-sqlite3-wasm';

interface Pending {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly db: Database) {}

  /** Runs `fn` inside the next batch's transaction. `fn` must be synchronous. */
  run<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is queued, then refuses further writes. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const p of batch) {
      this.db.exec('SAVEPOINT op');
      try {
        const value = p.fn();
        this.db.exec('RELEASE op');
        results.push({ ok: true, value });
      } catch (error) {
        this.db.exec('ROLLBACK TO op');
        this.db.exec('RELEASE op');
        results.push({ ok: false, error });
      }
    }
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // The transaction is already gone; nothing was written either way.
      }
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i];
      if (r?.ok) p.resolve(r.value);
      else p.reject(r?.error);
    });
  }
}
