/** Every command the CLI offers, one file each. */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerGpus } from './gpus.js';

export function registerCommands(program: Command, ctx: CliContext): void {
  // Commands are registered here as they are added.
  registerGpus(program, ctx);
}
