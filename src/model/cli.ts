/**
 * The conventions both command lines (`navarch` and `navarch-agent`) follow, kept here so that the
 * two programs, and every command to come, share one table of exit codes, one vocabulary of output
 * formats and one wording of the options they have in common. README "Commands" states them.
 */
import { NavarchError } from './errors.js';

/** Exit codes, the same for every command. */
export const EXIT = {
  /** Success (for `plan --detailed-exitcode`: success and no changes). */
  ok: 0,
  /** Any error: bad usage (an unknown flag too), invalid input, a failed action, check or assertion. */
  error: 1,
  /** `plan --detailed-exitcode`: success, and the plan has changes. */
  changes: 2,
  /**
   * `navarch run` returns the job's own exit code, and this one when navarch itself failed before or
   * around the job, as `docker run` does.
   */
  runFailed: 125,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** How a command prints its result: `text` for people, `json` for scripts, `wide` a table with more columns. */
export type OutputFormat = 'text' | 'json' | 'wide';

/** The parsed `--json` / `-o, --output` options. */
export interface OutputOptions {
  json?: boolean;
  output?: OutputFormat;
}

/** An option as written in `--help`: its flags and what it means, the same on every command that takes it. */
export interface OptionSpec {
  flags: string;
  description: string;
}

/** The options both programs define, worded once. */
export const COMMON_OPTIONS = {
  version: { flags: '-V, --version', description: 'print the version and exit' },
  json: { flags: '--json', description: 'print JSON (the same as --output json)' },
  output: { flags: '-o, --output <format>', description: 'how to print the result' },
  logLevel: { flags: '--log-level <level>', description: 'least severe records written (env NAVARCH_LOG_LEVEL; default info)' },
  logFormat: { flags: '--log-format <format>', description: 'text (for a terminal) or json (one object per line); default text on a terminal, else json' },
} as const satisfies Record<string, OptionSpec>;

/** The output format the options ask for: `--json` is `-o json`; the two contradicting is an error. */
export function outputFormat(opts: OutputOptions): OutputFormat {
  if (opts.json && opts.output !== undefined && opts.output !== 'json') {
    throw new NavarchError('cli.invalid', `--json and --output ${opts.output} contradict each other; give one of them`);
  }
  return opts.json ? 'json' : (opts.output ?? 'text');
}
