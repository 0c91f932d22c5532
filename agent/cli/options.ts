/** The options the agent shares with `navarch`, built from the one wording both use (src/model/cli.ts). */
import { Option, type Command } from 'commander';
import { COMMON_OPTIONS, type OutputFormat } from '../../src/model/index.js';

/** `-o, --output FORMAT` and `--json` (the same as `-o json`), as on every navarch command that prints a result. */
export function withOutput(cmd: Command, formats: readonly OutputFormat[] = ['text', 'json']): Command {
  return cmd
    .addOption(new Option(COMMON_OPTIONS.output.flags, COMMON_OPTIONS.output.description).choices(formats))
    .addOption(new Option(COMMON_OPTIONS.json.flags, COMMON_OPTIONS.json.description));
}

