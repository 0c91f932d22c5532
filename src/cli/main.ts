/** The `navarch` program: builds the commander tree and maps every failure to an exit code. */
import { Command, CommanderError } from 'commander';
import { asNavarchError, COMMON_OPTIONS, ConfigError, EXIT, formatDiagnostic, type OutputOptions } from '../model/index.js';
import { processContext, type CliContext } from './context.js';
import { commandsFor, registerCommands } from './commands.js';
import { VERSION } from './version.js';

/**
 * Builds the program; exported for tests and for `--help` snapshots. With `argv` (as
 * process.argv), only the commands it needs are loaded (see commandsFor); without, all of them.
 */
export async function buildProgram(ctx: CliContext, argv?: readonly string[]): Promise<Command> {
  const program = new Command('navarch')
    .description('Keep GPU fleets on AWS, GCP, Lambda and other clouds in the state a git repository declares.')
    .version(VERSION, COMMON_OPTIONS.version.flags, COMMON_OPTIONS.version.description)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .exitOverride();
  await registerCommands(program, ctx, argv ? commandsFor(argv.slice(2)) : undefined);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({
    writeOut: (s) => ctx.stdout.write(s),
    writeErr: (s) => ctx.stderr.write(s),
  });
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit code (see `EXIT`). */
export async function main(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  // The command that ran, so that its own parsed options say whether errors are printed as JSON.
  let running: Command | undefined;
  try {
    const program = await buildProgram(ctx, argv);
    program.hook('preAction', (_program, command) => {
      running = command;
    });
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; a usage error is an error like any other.
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    reportError(ctx, err, running ? wantsJson(running.opts()) : false);
    return EXIT.error;
  }
}

/** Whether the options ask for JSON (`--json` or `-o json`), even when they contradict each other. */
function wantsJson(opts: OutputOptions): boolean {
  return opts.json === true || opts.output === 'json';
}

/**
 * The single place errors become text. In JSON mode the error is one line on stdout,
 * `{"error": {...}}` with snake_case keys, so it ends a JSON Lines stream (`apply --json`) too.
 */
export function reportError(ctx: CliContext, err: unknown, json: boolean): void {
  const e = asNavarchError(err);
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ error: e.toJSON() })}\n`);
    return;
  }
  if (e instanceof ConfigError) {
    for (const d of e.diagnostics) ctx.stderr.write(`error: ${formatDiagnostic(d)}\n`);
    return;
  }
  ctx.stderr.write(`error: ${e.message}\n`);
  if (e.code === 'internal' && e.cause instanceof Error && ctx.env['NAVARCH_DEBUG']) {
    ctx.stderr.write(`${e.cause.stack ?? ''}\n`);
  }
}
