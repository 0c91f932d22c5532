/** Options and steps several commands share. */
import { resolve } from 'node:path';
import { createLogger, type LogFormat, type Logger } from '../log/index.js';
import { EXIT, type ObservationGap, type OutputOptions } from '../model/index.js';
import { colorEnabled, type CliContext } from './context.js';

// The shared option definitions live in options.ts; these two are re-exported for the commands that take them from here.
export { withColor, withDir } from './options.js';

export interface DirOptions extends OutputOptions {
  dir: string;
  color?: boolean;
}

export function resolveDir(ctx: CliContext, dir: string): string {
  return resolve(ctx.cwd, dir);
}

/** How a command's logs are written, when it lets the user say (`navarch serve`). */
export interface LogOptions {
  logLevel?: string;
  logFormat?: LogFormat;
  color?: boolean;
}

/**
 * The process's one logger: to stderr, as text lines on a terminal and JSON lines otherwise; quiet
 * (`warn`) unless --log-level or NAVARCH_LOG_LEVEL asks for more.
 */
export function cliLogger(ctx: CliContext, opts: LogOptions = {}, defaultLevel = 'warn'): Logger {
  const format = opts.logFormat ?? (ctx.stderr.isTTY ? 'text' : 'json');
  return createLogger({
    level: opts.logLevel ?? ctx.env['NAVARCH_LOG_LEVEL'] ?? defaultLevel,
    format,
    color: format === 'text' && colorEnabled(ctx, opts, ctx.stderr),
    destination: ctx.stderr,
    clock: ctx.clock,
  });
}

/**
 * A provider that could not be listed leaves its pools unplanned: the run goes on for the rest but
 * must not look like success to a script. Returns the exit code to use (1 when any provider was missed).
 */
export function reportGaps(ctx: CliContext, gaps: readonly ObservationGap[]): number {
  for (const g of gaps) ctx.stderr.write(`error: provider "${g.provider}" could not be listed: ${g.reason}; its pools were left unchanged\n`);
  return gaps.length > 0 ? EXIT.error : EXIT.ok;
}
