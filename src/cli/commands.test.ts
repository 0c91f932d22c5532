import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { COMMAND_NAMES, commandsFor, registerCommands } from './commands.js';
import { buildProgram } from './main.js';
import { runCommand } from './testing.js';
import type { CliContext } from './context.js';

const ctx = { stdout: { write: () => undefined, isTTY: false }, stderr: { write: () => undefined, isTTY: false }, env: {} } as unknown as CliContext;

describe('the command registry', () => {
  it.each(COMMAND_NAMES)('%s loads the file that registers exactly that command', async (name) => {
    const program = new Command('navarch');
    await registerCommands(program, ctx, [name]);
    expect(program.commands.map((c) => c.name())).toEqual([name]);
  });

  it('builds every command, in help order, when no command line is given', async () => {
    const program = await buildProgram(ctx);
    expect(program.commands.map((c) => c.name())).toEqual(COMMAND_NAMES);
  });

  it.each([
    [['--version'], []],
    [['-V'], []],
    [['plan', '--dir', 'x'], ['plan']],
    [['token', 'node', '--help'], ['token']],
    [['plan', '--version'], ['plan']],
    [[], COMMAND_NAMES],
    [['--help'], COMMAND_NAMES],
    [['--help', 'plan'], COMMAND_NAMES],
    [['-V', '--help'], COMMAND_NAMES],
    [['help', 'plan'], COMMAND_NAMES],
    [['plna'], COMMAND_NAMES],
  ] as const)('navarch %j loads %j', (args, names) => {
    expect(commandsFor(args)).toEqual(names);
  });

  it('still lists every command in the program help and suggests a misspelt one', async () => {
    const help = await runCommand(['--help']);
    expect(help.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(help.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const typo = await runCommand(['plna']);
    expect(typo.code).toBe(1);
    expect(typo.err).toContain('(Did you mean plan?)');
  });
});
