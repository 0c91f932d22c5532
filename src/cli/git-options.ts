/** The git options several commands share: where the config repository is, the lock, the author. */
import type { Command } from 'commander';
import { directoryTarget, type PassLockOptions } from '../engine/index.js';
import { defaultCacheDir, localTarget, parseAuthor, remoteTarget, type ConfigTarget, type GitAuthor } from '../git/index.js';
import type { Logger } from '../log/index.js';
import { NavarchError, parseDuration } from '../model/index.js';
import type { CliContext } from './context.js';
import { withOptions } from './options.js';
import { resolveDir } from './shared.js';

export interface GitOptions {
  dir: string;
  repo?: string;
  ref?: string;
  cacheDir?: string;
  commit?: boolean;
  push?: boolean;
  gitAuthor?: string;
  lockTimeout?: string;
  lockTtl?: string;
  lockRef?: string;
}

/** `--repo URL`, `--ref BRANCH`, `--cache-dir DIR`. */
export function withRepo(cmd: Command): Command {
  return withOptions(cmd, 'repo', 'ref', 'cacheDir');
}

/** `--commit`, `--push`, `--git-author`: committing the status back. */
export function withCommit(cmd: Command): Command {
  return withOptions(cmd, 'commit', 'push', 'gitAuthor');
}

/** `--lock-timeout`, `--lock-ttl`, `--lock-ref`: the fleet lock. */
export function withLock(cmd: Command): Command {
  return withOptions(cmd, 'lockTimeout', 'lockTtl', 'lockRef');
}

/** Parses a duration option; refuses anything else naming the option. */
export function durationOption(name: string, text: string | undefined, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new NavarchError('cli.invalid', `${name} must be a duration such as 90s, 10m or 1h30m, not "${text}"`);
  return ms;
}

export function authorOf(opts: GitOptions): GitAuthor {
  return parseAuthor(opts.gitAuthor);
}

/** Whether the user gave `--dir` (rather than commander's default). */
function dirGiven(cmd: Command): boolean {
  return cmd.getOptionValueSource('dir') === 'cli';
}

/**
 * The config target the options describe: a remote repository (`--repo`), a working clone whose
 * status is committed (`--dir --commit`), or undefined for a plain directory (`--dir`).
 */
export async function gitTarget(ctx: CliContext, cmd: Command, opts: GitOptions, logger: Logger): Promise<ConfigTarget | undefined> {
  if (opts.repo !== undefined && dirGiven(cmd)) throw new NavarchError('cli.invalid', 'give either --repo or --dir, not both');
  if (opts.repo === undefined && opts.ref !== undefined) throw new NavarchError('cli.invalid', '--ref needs --repo (with --dir, check out the branch instead)');
  if (opts.push && !opts.commit && opts.repo === undefined) throw new NavarchError('cli.invalid', '--push needs --commit');
  const tctx = { env: ctx.env, clock: ctx.clock, author: authorOf(opts), logger };
  if (opts.repo !== undefined) {
    const cacheDir = opts.cacheDir !== undefined ? resolveDir(ctx, opts.cacheDir) : defaultCacheDir(ctx.env);
    return remoteTarget(opts.repo, opts.ref, cacheDir, tctx);
  }
  if (opts.commit) return localTarget(resolveDir(ctx, opts.dir), opts.push ?? false, tctx);
  return undefined;
}

/** The target, or a plain directory target when the options name no git. */
export async function anyTarget(ctx: CliContext, cmd: Command, opts: GitOptions, logger: Logger): Promise<ConfigTarget> {
  return (await gitTarget(ctx, cmd, opts, logger)) ?? directoryTarget(resolveDir(ctx, opts.dir));
}

/** Lock settings from the options, with messages for the person waiting. */
export function lockOptions(ctx: CliContext, opts: GitOptions): PassLockOptions {
  const timeoutMs = durationOption('--lock-timeout', opts.lockTimeout);
  const ttlMs = durationOption('--lock-ttl', opts.lockTtl);
  if (ttlMs !== undefined && ttlMs < 1000) throw new NavarchError('cli.invalid', '--lock-ttl must be at least 1s');
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(ttlMs !== undefined ? { ttlMs } : {}),
    ...(opts.lockRef !== undefined ? { ref: opts.lockRef } : {}),
  };
}
