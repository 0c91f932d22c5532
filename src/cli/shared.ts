/** Options and steps several commands share. */
import { resolve } from 'node:path';
import { createLogger, type Logger } from '../log/index.js';
import { EXIT, type ObservationGap, type OutputOptions } from '../model/index.js';
import type { CliContext } from './context.js';

// The shared option definitions live in options.ts; these two are re-exported for the commands that take them from here.
export { withColor, withDir } from './options.js';

export interface DirOptions extends OutputOptions {
  dir: string;
  color?: boolean;
}

export function resolveDir(ctx: CliContext, dir: string): string {
  return resolve(ctx.cwd, dir);
}

/** Logs go to stderr as JSON lines; quiet unless NAVARCH_LOG_LEVEL asks for more. */
export function cliLogger(ctx: CliContext): Logger {
  return createLogger({ level: ctx.env['NAVARCH_LOG_LEVEL'] ?? 'warn' });
}

/**
 * A provider that could not be listed leaves its pools unplanned: the run goes on for the rest but
 * must not look like success to a script. Returns the exit code to use (1 when any provider was missed).
 */
export function reportGaps(ctx: CliContext, gaps: readonly ObservationGap[]): number {
  for (const g of gaps) ctx.stderr.write(`error: provider "${g.provider}" could not be listed: ${g.reason}; its pools were left unchanged\n`);
  return gaps.length > 0 ? EXIT.error : EXIT.ok;
}
