/**
 * What the agent keeps across its own restarts when given a state directory: the reports not yet
 * delivered, the next report number, and how far it read the kernel log in this boot. Written
 * atomically (temporary file, then rename) and at most once per tick however often it changes.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../src/log/index.js';
import type { OutboxEntry } from './outbox.js';

export interface AgentState {
  version: 1;
  bootId: string;
  /** The next health report's seq. */
  nextSeq: number;
  /** The last /dev/kmsg record read (this boot only). */
  kmsgSeq?: number;
  outbox: OutboxEntry[];
}

export const STATE_FILE = 'agent-state.json';

export class StateStore {
  private pending: AgentState | undefined;
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  get path(): string {
    return join(this.dir, STATE_FILE);
  }

  /** The saved state; undefined when there is none or it cannot be read (it is then started afresh). */
  async load(): Promise<AgentState | undefined> {
    try {
      const s = JSON.parse(await readFile(this.path, 'utf8')) as AgentState;
      if (s.version !== 1 || typeof s.bootId !== 'string' || !Array.isArray(s.outbox)) throw new Error('unknown format');
      return s;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warn({ path: this.path, err: err instanceof Error ? err.message : String(err) }, 'ignoring unreadable agent state');
      }
      return undefined;
    }
  }

  /** Schedules a write of `state` (the latest call wins). */
  save(state: AgentState): void {
    this.pending = state;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.writing = this.writing.then(() => this.write());
    });
  }

  /** Waits until everything saved so far is on disk. */
  async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.writing;
    if (this.pending) await (this.writing = this.writing.then(() => this.write()));
  }

  private async write(): Promise<void> {
    const state = this.pending;
    if (!state) return;
    this.pending = undefined;
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
      await rename(tmp, this.path);
    } catch (err) {
      this.log.error({ path: this.path, err: err instanceof Error ? err.message : String(err) }, 'cannot save agent state');
    }
  }
}
