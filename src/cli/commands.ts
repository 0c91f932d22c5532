/** Every command the CLI offers, one file each. */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerValidate } from './validate.js';

export function registerCommands(program: Command, ctx: CliContext): void {
  // Commands are registered here as they are added.
  registerValidate(program, ctx);
}
