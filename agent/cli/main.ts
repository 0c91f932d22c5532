/** The `navarch-agent` program: run (default), check, xid parse. The one place agent errors become text. */
import { Command, CommanderError } from 'commander';
import { asNavarchError } from '../../src/model/index.js';
import { AGENT_VERSION } from '../version.js';
import { registerCheck } from './check.js';
import { processContext, type AgentCliContext } from './context.js';
import { registerRun } from './run.js';
import { registerXid } from './xid-parse.js';

export function buildProgram(ctx: AgentCliContext): Command {
  const program = new Command('navarch-agent')
    .description('The navarch node agent: GPU health, kernel XIDs and spot notices, reported to the control plane.')
    .version(AGENT_VERSION, '-V, --version')
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

/** Runs the agent CLI with `argv` (as process.argv) and returns the exit code. */
export async function main(argv: string[], ctx: AgentCliContext = processContext()): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync(argv);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    ctx.stderr.write(`error: ${asNavarchError(err).message}\n`);
    return 1;
  }
}
