/**
 * Every command the CLI offers, one file each, loaded only when the command line needs it: a
 * command file imports what its command runs (the engine, providers, git), and `navarch plan`
 * should not pay for loading `serve` or `gpus`, nor `navarch --version` for any of them.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';

/** Adds one command (and its subcommands) to the program. */
type Register = (program: Command, ctx: CliContext) => void;

/** In the order `navarch --help` lists them; each key is the name its file registers. */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<Register>]> = [
  ['init', async () => (await import('./init.js')).registerInit],
  ['validate', async () => (await import('./validate.js')).registerValidate],
  ['plan', async () => (await import('./plan.js')).registerPlan],
  ['apply', async () => (await import('./apply.js')).registerApply],
  ['status', async () => (await import('./status.js')).registerStatus],
  ['reconcile', async () => (await import('./reconcile.js')).registerReconcile],
  ['force-unlock', async () => (await import('./force-unlock.js')).registerForceUnlock],
  ['gpus', async () => (await import('./gpus.js')).registerGpus],
  ['serve', async () => (await import('./serve.js')).registerServe],
  ['token', async () => (await import('./token.js')).registerToken],
  ['doctor', async () => (await import('./doctor.js')).registerDoctor],
];

/** The names of every command, in help order. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map(([name]) => name);

/**
 * The commands `args` (the arguments after the program name) needs: the one it names; none for
 * `--version` alone; every command otherwise (the program's own help, `help <command>`, a
 * misspelt name commander suggests a correction for). The program takes no option with a value,
 * so the first argument not starting with `-` is the command's name.
 */
export function commandsFor(args: readonly string[]): readonly string[] {
  const at = args.findIndex((a) => !a.startsWith('-'));
  const before = at === -1 ? args : args.slice(0, at);
  // `navarch --help plan` shows the program's help, which lists every command.
  if (before.some((a) => a === '-h' || a === '--help')) return COMMAND_NAMES;
  const name = args[at];
  if (name === undefined) return before.some((a) => a === '-V' || a === '--version') ? [] : COMMAND_NAMES;
  return COMMAND_NAMES.includes(name) ? [name] : COMMAND_NAMES;
}

/** Loads and registers the commands named (all of them by default), in help order. */
export async function registerCommands(program: Command, ctx: CliContext, names: readonly string[] = COMMAND_NAMES): Promise<void> {
  const chosen = COMMANDS.filter(([name]) => names.includes(name));
  const registers = await Promise.all(chosen.map(([, load]) => load()));
  for (const register of registers) register(program, ctx);
}
