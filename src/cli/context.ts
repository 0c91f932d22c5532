/** What every command receives: where to print, the environment, the clock. Tests pass their own. */
import pc from 'picocolors';
import { systemClock, type Clock } from '../model/index.js';

export interface Output {
  write(text: string): void;
  /** True when this stream is an interactive terminal (progress, colour and prompts allowed). */
  isTTY: boolean;
}

export interface CliContext {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  clock: Clock;
  /** Set by commands; `main` returns it. 0 success/no changes, 1 error, 2 changes present. */
  exitCode: number;
}

export function processContext(): CliContext {
  return {
    stdout: { write: (t) => void process.stdout.write(t), isTTY: Boolean(process.stdout.isTTY) },
    stderr: { write: (t) => void process.stderr.write(t), isTTY: Boolean(process.stderr.isTTY) },
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

/** Colour is used only on a TTY, never with --no-color or NO_COLOR. */
export function colorEnabled(ctx: CliContext, opts: { color?: boolean }): boolean {
  return ctx.stdout.isTTY && opts.color !== false && !ctx.env['NO_COLOR'];
}
