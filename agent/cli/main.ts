/** The `navarch-agent` program: run (default), check, xid parse. The one place agent errors become text. */
import { Command, CommanderError } from 'commander';
import { asNavarchError, COMMON_OPTIONS, EXIT, type OutputOptions } from '../../src/model/index.js';
import { AGENT_VERSION } from '../version.js';
import { registerCheck } from './check.js';
import { processContext, type AgentCliContext } from './context.js';
import { registerRun } from './run.js';
import { registerXid } from './xid-parse.js';

export function buildProgram(ctx: AgentCliContext): Command {
  const program = new Command('navarch-agent')
    .description('The navarch node agent: GPU health, kernel XIDs and spot notices, reported to the control plane.')
    .version(AGENT_VERSION, COMMON_OPTIONS.version.flags, COMMON_OPTIONS.version.description)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .exitOverride();
  registerRun(program, ctx);
  registerCheck(program, ctx);
  registerXid(program, ctx);
  const override = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
    for (const sub of cmd.commands) override(sub);
  };
  for (const cmd of program.commands) override(cmd);
  return program;
}

/** Runs the agent CLI with `argv` (as process.argv) and returns the exit code (see `EXIT`, the same table as navarch's). */
export async function main(argv: string[], ctx: AgentCliContext = processContext()): Promise<number> {
  const program = buildProgram(ctx);
  let running: Command | undefined;
  program.hook('preAction', (_program, command) => {
    running = command;
  });
  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    const e = asNavarchError(err);
    const opts = (running?.opts() ?? {}) as OutputOptions;
    // As navarch does: with JSON asked for, the error is one JSON line on stdout.
    if (opts.json === true || opts.output === 'json') ctx.stdout.write(`${JSON.stringify({ error: e.toJSON() })}\n`);
    else ctx.stderr.write(`error: ${e.message}\n`);
    return EXIT.error;
  }
}
