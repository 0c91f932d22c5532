/** What every command receives: where to print, the environment, the clock. Tests pass their own. */
import pc from 'picocolors';
import { processOutput } from '../log/index.js';
import { systemClock, type Clock } from '../model/index.js';
import type { WatchTrigger } from './watch.js';

export interface Output {
  write(text: string): void;
  /** True when this stream is an interactive terminal (progress, colour and prompts allowed). */
  isTTY: boolean;
  /** The terminal's width in characters, when this stream is one (lines redrawn in place are cut to it). */
  readonly columns?: number | undefined;
}

export interface CliContext {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  clock: Clock;
  /** Set by commands from `EXIT` (one table for every command); `main` returns it. */
  exitCode: number;
  /** When `status --watch` reads again (default: the status file's changes and clock ticks; tests pass their own). */
  watch?: WatchTrigger;
}

/** The real process: its output closed by the reader (`| head -1`) is not an error (see log/output.ts). */
export function processContext(): CliContext {
  const { stdout, stderr } = processOutput();
  return {
    stdout,
    stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    exitCode: 0,
  };
}

/** Colour functions that are identity when colour is off. */
export type Colors = Pick<typeof pc, 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta'>;

export function colors(enabled: boolean): Colors {
  const c = pc.createColors(enabled);
  return { bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan, magenta: c.magenta };
}

/**
 * Whether to colour a stream (stdout unless another is named): never with --no-color; else as
 * FORCE_COLOR says when it is set (`0` or `false`: never; anything else: always, even off a
 * terminal and despite NO_COLOR, as in Node); else never with NO_COLOR; else only on a terminal.
 */
export function colorEnabled(ctx: CliContext, opts: { color?: boolean }, stream: Output = ctx.stdout): boolean {
  if (opts.color === false) return false;
  const force = ctx.env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (ctx.env['NO_COLOR']) return false;
  return stream.isTTY;
}
