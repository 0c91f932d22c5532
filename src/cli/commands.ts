/** Every command the CLI offers, one file each. */
import type { Command } from 'commander';
import type { CliContext } from './context.js';

export function registerCommands(_program: Command, _ctx: CliContext): void {
  // Commands are registered here as they are added.
}
