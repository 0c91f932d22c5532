/** Running CLI commands in-process for tests: string-buffer streams, an injected clock. */
import { PassThrough } from 'node:stream';
import { systemClock, type Clock } from '../model/index.js';
import type { CliContext } from './context.js';
import { main } from './main.js';
import type { WatchTrigger } from './watch.js';

export interface TestRunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Pretend stdout, stderr and stdin are a terminal. */
  tty?: boolean;
  /** What a user types on stdin. */
  input?: string;
  clock?: Clock;
  /** When `status --watch` reads again (instead of file events and clock ticks). */
  watch?: WatchTrigger;
}

export interface TestRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `navarch <args>` in this process and captures what it prints. */
export async function runCommand(args: string[], opts: TestRunOptions = {}): Promise<TestRun> {
  let out = '';
  let err = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  if (opts.input !== undefined) stdin.end(opts.input);
  const ctx: CliContext = {
    stdout: { write: (t) => void (out += t), isTTY: opts.tty ?? false },
    stderr: { write: (t) => void (err += t), isTTY: opts.tty ?? false },
    stdin,
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    clock: opts.clock ?? systemClock,
    exitCode: 0,
    ...(opts.watch ? { watch: opts.watch } : {}),
  };
  const code = await main(['node', 'navarch', ...args], ctx);
  return { code, out, err };
}
