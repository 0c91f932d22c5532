/**
 * The process's stdout and stderr as the CLIs write to them. A reader that goes away
 * (`navarch status | head -1`) is the reader's choice, not an error: Node ignores SIGPIPE, so the
 * next write fails with EPIPE, which would otherwise surface as an unhandled 'error' event and a
 * stack trace. Here that stream just stops being written to and the command runs to its end (an
 * apply is never cut short by its reader), exiting with its own code. Any other write failure (a
 * full disk behind `> plan.json`) is said once on the other stream and makes the process exit 1.
 */
import { asNavarchError } from '../model/index.js';

/** One guarded process stream. */
export interface ProcessOutput {
  write(text: string): void;
  /** True when this stream is an interactive terminal. */
  readonly isTTY: boolean;
  /** The terminal's width in characters, as it is now (it follows a resize); undefined off a terminal. */
  readonly columns: number | undefined;
}

type Name = 'stdout' | 'stderr';

let guarded: Record<Name, ProcessOutput> | undefined;

/** The guarded stdout and stderr of this process (guards installed once, on first call). */
export function processOutput(): Record<Name, ProcessOutput> {
  guarded ??= guardBoth();
  return guarded;
}

function guardBoth(): Record<Name, ProcessOutput> {
  const streams: Record<Name, NodeJS.WriteStream> = { stdout: process.stdout, stderr: process.stderr };
  const closed: Record<Name, boolean> = { stdout: false, stderr: false };
  let failed = false;

  const fail = (name: Name, err: unknown): void => {
    if (closed[name]) return;
    closed[name] = true;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') return;
    failed = true;
    const other: Name = name === 'stdout' ? 'stderr' : 'stdout';
    write(other, `error: writing to ${name} failed: ${asNavarchError(err).message}\n`);
  };
  const write = (name: Name, text: string): void => {
    if (closed[name]) return;
    try {
      streams[name].write(text);
    } catch (err) {
      fail(name, err);
    }
  };

  for (const name of ['stdout', 'stderr'] as const) streams[name].on('error', (err) => fail(name, err));
  process.on('exit', () => {
    if (failed) process.exitCode = 1;
  });
  const output = (name: Name): ProcessOutput => ({
    write: (t) => write(name, t),
    isTTY: Boolean(streams[name].isTTY),
    get columns() {
      return streams[name].isTTY ? streams[name].columns : undefined;
    },
  });
  return { stdout: output('stdout'), stderr: output('stderr') };
}
