/** `navarch force-unlock LOCK_ID`: clear a fleet lock left by a run that can no longer release it. */
import type { Command } from 'commander';
import { checkDirectory } from '../config/index.js';
import { readTarget } from '../engine/index.js';
import {
  describeLock,
  DIRECTORY_LOCK_FILE,
  directoryLockStore,
  forceUnlock,
  GitError,
  localTarget,
  lockRefFor,
  readLock,
  type LockStore,
} from '../git/index.js';
import { NavarchError, outputFormat, type OutputOptions } from '../model/index.js';
import type { CliContext } from './context.js';
import { authorOf, gitTarget, withRepo, type GitOptions } from './git-options.js';
import { sharedOption, withColor, withDir, withOutput } from './options.js';
import { cliLogger, resolveDir } from './shared.js';

interface ForceUnlockOptions extends GitOptions, OutputOptions {
  fleet?: string;
}

export function registerForceUnlock(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('force-unlock')
    .argument('[lock-id]', 'the id of the lock to clear, as printed by the run that found the fleet locked, or by `navarch status`')
    .description('Remove the fleet lock of a run that died (refused unless LOCK_ID is the current lock)')
    .option('--fleet <name>', 'with --repo: the fleet whose lock to clear (default: the fleet named by navarch.yaml)')
    .addOption(sharedOption('lockRef'))
    .addHelpText(
      'after',
      '\nA run that finds the fleet locked prints the exact command to clear it. The lock is on the repository\n' +
        `(--repo URL), or, for a plain directory, in DIR/${DIRECTORY_LOCK_FILE} (--dir DIR); with --dir, a clone\n` +
        'without such a file has its lock on the upstream of its checked-out branch.\n' +
        'Only clear a lock whose holder is gone: a run that still holds it will find the lock lost and stop\n' +
        'starting new actions. An expired lock needs no force-unlock: the next run takes it over.\n' +
        'With --json, prints {"removed": the lock, "where"}.\n' +
        'Examples:\n  navarch force-unlock 0f6e2c1a-... --repo https://github.com/org/fleet.git --fleet research\n  navarch force-unlock 0f6e2c1a-... --dir /srv/fleet',
    );
  withRepo(withColor(withOutput(withDir(cmd)))).action(async (id: string | undefined, opts: ForceUnlockOptions, command: Command) => {
    const json = outputFormat(opts) === 'json';
    const store = await lockStoreOf(ctx, command, opts);
    if (id === undefined) {
      const current = await readLock(store);
      const what = current
        ? `the fleet is locked by ${describeLock(current.info, ctx.clock.now())}. If that run is dead, clear it with \`${store.unlockCommand(current.info)}\``
        : `there is no lock at ${store.where} now`;
      throw new NavarchError('cli.invalid', `force-unlock needs the id of the lock to clear, so that it never removes a lock taken since; ${what}`);
    }
    const removed = await forceUnlock(store, id);
    if (json) ctx.stdout.write(`${JSON.stringify({ removed, where: store.where }, null, 2)}\n`);
    else ctx.stdout.write(`Removed the fleet lock on ${store.where}: ${describeLock(removed, ctx.clock.now())}.\n`);
  });
}

/**
 * The lock the options name: the repository's (`--repo`), else the directory's own lock file, else
 * (a clone without one) the lock on its branch's upstream.
 */
async function lockStoreOf(ctx: CliContext, command: Command, opts: ForceUnlockOptions): Promise<LockStore> {
  const logger = cliLogger(ctx);
  const author = authorOf(opts);
  const remote = await gitTarget(ctx, command, { ...opts, commit: false }, logger);
  if (remote) {
    const ref = opts.lockRef ?? lockRefFor(opts.fleet ?? (await readTarget(remote)).desired.fleet);
    return remote.lockStore({ ref, author, clock: ctx.clock });
  }
  const dir = resolveDir(ctx, opts.dir);
  await checkDirectory(dir);
  const local = directoryLockStore(dir);
  if (opts.lockRef === undefined && opts.fleet === undefined && (await readLock(local))) return local;
  try {
    const clone = await localTarget(dir, true, { env: ctx.env, clock: ctx.clock, author, logger });
    const ref = opts.lockRef ?? lockRefFor(opts.fleet ?? (await readTarget(clone)).desired.fleet);
    return await clone.lockStore({ ref, author, clock: ctx.clock });
  } catch (err) {
    if (!(err instanceof GitError && (err.code === 'git.not-a-repo' || err.code === 'git.no-remote'))) throw err;
    const why = err.code === 'git.not-a-repo' ? 'it is not a git clone' : 'its branch has no remote';
    throw new NavarchError(
      'cli.invalid',
      `nothing to unlock in ${dir}: it has no ${DIRECTORY_LOCK_FILE} (the lock an apply on that directory takes), and ${why} that could hold one. ` +
        'Run the command the locked run printed: `navarch force-unlock LOCK_ID --repo URL` for a lock on a repository, `navarch force-unlock LOCK_ID --dir DIR` for a directory.',
    );
  }
}
