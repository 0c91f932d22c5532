/** `navarch validate`: check a config repository and report every problem with its position. */
import type { Command } from 'commander';
import { directorySource, validateRepo } from '../config/index.js';
import { EXIT, formatDiagnostic, outputFormat } from '../model/index.js';
import { colorEnabled, colors, type CliContext } from './context.js';
import { withColor, withDir, withOutput } from './options.js';
import { resolveDir, type DirOptions } from './shared.js';

type ValidateOptions = DirOptions;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Registers `validate` on the program. Exit code 0 when valid, 1 when not. */
export function registerValidate(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('validate')
    .description('Check navarch.yaml, pools/ and jobs/ against the schemas, the catalog and each other.')
    .addHelpText('after', '\nWith --json, prints {"valid", "errors": [{"file", "line", "column", "path", "message"}]} on stdout.');
  withColor(withOutput(withDir(cmd)))
    .action(async (opts: ValidateOptions) => {
      const json = outputFormat(opts) === 'json';
      const { desired, diagnostics } = await validateRepo(directorySource(resolveDir(ctx, opts.dir)));
      ctx.exitCode = desired ? EXIT.ok : EXIT.error;
      if (json) {
        const errors = diagnostics.map(({ file, line, column, path, message }) => ({ file, line, column, path, message }));
        ctx.stdout.write(`${JSON.stringify({ valid: desired !== undefined, errors }, null, 2)}\n`);
        return;
      }
      for (const d of diagnostics) ctx.stderr.write(`${formatDiagnostic(d)}\n`);
      if (!desired) {
        // The summary goes where the diagnostics went, so colour follows that stream.
        const red = colors(colorEnabled({ ...ctx, stdout: ctx.stderr }, opts)).red;
        ctx.stderr.write(`${red(`${plural(diagnostics.length, 'error')}.`)}\n`);
        return;
      }
      const green = colors(colorEnabled(ctx, opts)).green;
      const parts = [
        ...(desired.pools.length ? [plural(desired.pools.length, 'pool')] : []),
        ...(desired.jobs.length ? [plural(desired.jobs.length, 'job')] : []),
      ];
      const summary = parts.length ? `navarch.yaml and ${parts.join(', ')} are valid.` : 'navarch.yaml is valid.';
      ctx.stdout.write(`${green(summary)}\n`);
    });
}
