/**
 * Every option more than one command takes, defined once, so that a long flag means one thing on
 * every command and a new command gets the shared ones by construction (README "Commands"):
 *
 * - `-d, --dir DIR` on every command that reads a config repository; `-d` is never anything else.
 * - `-o, --output FORMAT` and `--json` (the same as `-o json`) on every command that prints a result.
 * - `--no-color` on every command; colour otherwise follows the terminal, `FORCE_COLOR` and `NO_COLOR`.
 * - Other short flags only where kubectl or Terraform users expect them (`SHORT_FLAGS`).
 *
 * src/cli/conventions.test.ts walks the command tree and holds every command to these rules.
 */
import { Option, type Command } from 'commander';
import { COMMON_OPTIONS, type OptionSpec, type OutputFormat } from '../model/index.js';

/** The shared options: flags and help, identical wherever they appear. Defaults may differ per command. */
export const SHARED_OPTIONS = {
  ...COMMON_OPTIONS,
  dir: { flags: '-d, --dir <dir>', description: 'config repository (directory holding navarch.yaml)' },
  color: { flags: '--no-color', description: 'never colour the output (colour is used on a terminal, or wherever FORCE_COLOR is set)' },
  repo: {
    flags: '--repo <url>',
    description: 'read the config from this git repository (https URL) instead of --dir; token from NAVARCH_GIT_TOKEN or GITHUB_TOKEN',
  },
  ref: { flags: '--ref <branch>', description: "branch of --repo to read (default: the repository's default branch)" },
  cacheDir: { flags: '--cache-dir <dir>', description: 'where remote repositories are cached (default: $XDG_CACHE_HOME/navarch or ~/.cache/navarch)' },
  commit: {
    flags: '--commit',
    description: 'with --dir: commit the status file on the checked-out branch (with --repo the status is always committed and pushed)',
  },
  push: { flags: '--push', description: 'with --dir --commit: push the branch to its upstream (takes the fleet lock there first)' },
  gitAuthor: { flags: '--git-author <author>', description: 'author of status commits, "Name <email>" (default: navarch <navarch@users.noreply.github.com>)' },
  lockTimeout: { flags: '--lock-timeout <duration>', description: 'wait this long for a fleet lock held by another run (e.g. 10m; default: fail at once)' },
  lockTtl: { flags: '--lock-ttl <duration>', description: 'how long the lock outlives a run that stops renewing it, e.g. one killed (default 5m)' },
  lockRef: { flags: '--lock-ref <ref>', description: 'the ref that holds the fleet lock on a git repository (default refs/navarch/locks/<fleet>)' },
  allowDestroy: { flags: '--allow-destroy', description: 'allow plans that destroy or replace more than `safety.max_destroy_percent` of a pool' },
  allowLarge: {
    flags: '--allow-large',
    description: 'allow plans that grow a pool past `safety.max_nodes_per_pool` or create more than `safety.max_create` nodes',
  },
  concurrency: { flags: '--concurrency <n>', description: 'provider calls in flight at once (default: apply.concurrency, 8)' },
  interval: { flags: '--interval <duration>', description: 'time between passes (reconciles; for status --watch, looks), e.g. 30s or 5m' },
  insecureDev: {
    flags: '--insecure-dev',
    description: 'use the well-known development credentials where NAVARCH_AUTH_TOKEN / NAVARCH_NODE_SECRET are unset (development only)',
  },
} as const satisfies Record<string, OptionSpec>;

export type SharedOptionName = keyof typeof SHARED_OPTIONS;

/**
 * Long flags that take the same kind of value everywhere (a provider type, a fleet name, a region,
 * a pool name, a GPU id, GPUs per node) but whose help says what that command does with it, e.g.
 * `gpus --region` lists a region's offers, `navarch-agent run --region` names the node's region.
 * They must still take the same argument everywhere; anything else on several commands must be one
 * of SHARED_OPTIONS.
 */
export const COMMAND_SPECIFIC_HELP: readonly string[] = ['--provider', '--fleet', '--region', '--pool', '--gpu', '--gpus'];

/** The only short flags, each for the long flag kubectl or Terraform users know it as. */
export const SHORT_FLAGS: Readonly<Record<string, readonly string[]>> = {
  '-d': ['--dir'],
  '-o': ['--output'],
  '-f': ['--file', '--follow'],
  '-w': ['--watch'],
  '-h': ['--help'],
  '-V': ['--version'],
};

/** A fresh commander Option for a shared option (commander options belong to one command each). */
export function sharedOption(name: SharedOptionName): Option {
  const spec: OptionSpec = SHARED_OPTIONS[name];
  return new Option(spec.flags, spec.description);
}

/** Adds shared options to `cmd`, in the order given. */
export function withOptions(cmd: Command, ...names: SharedOptionName[]): Command {
  for (const name of names) cmd.addOption(sharedOption(name));
  return cmd;
}

/** `-d, --dir DIR` (default `.`): the config repository. */
export function withDir(cmd: Command): Command {
  return cmd.addOption(sharedOption('dir').default('.'));
}

/** `--no-color`. */
export function withColor(cmd: Command): Command {
  return cmd.addOption(sharedOption('color'));
}

/** `-o, --output FORMAT` (text, json, and wide where a table has more columns to give) and `--json`. */
export function withOutput(cmd: Command, formats: readonly OutputFormat[] = ['text', 'json']): Command {
  return cmd.addOption(sharedOption('output').choices(formats)).addOption(sharedOption('json'));
}
