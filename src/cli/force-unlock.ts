/** `navarch force-unlock LOCK_ID`: clear a fleet lock left by a run that can no longer release it. */
import type { Command } from 'commander';
import { readTarget } from '../engine/index.js';
import { describeLock, forceUnlock, localTarget, lockRefFor } from '../git/index.js';
import { NavarchError } from '../model/index.js';
import type { CliContext } from './context.js';
import { authorOf, gitTarget, withRepo, type GitOptions } from './git-options.js';
import { cliLogger, resolveDir, withDir } from './shared.js';

interface ForceUnlockOptions extends GitOptions {
  fleet?: string;
  json?: boolean;
}

export function registerForceUnlock(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('force-unlock')
    .argument('<lock-id>', 'the id of the lock to clear, as printed by the run that is waiting for it or by `navarch status --repo`')
    .description('Remove the fleet lock of a run that died (refused unless LOCK_ID is the current lock)')
    .option('--fleet <name>', 'the fleet whose lock to clear (default: the fleet named by navarch.yaml)')
    .option('--lock-ref <ref>', 'the ref that holds the lock (default refs/navarch/locks/<fleet>)')
    .option('--json', 'print the removed lock as JSON')
    .addHelpText(
      'after',
      '\nOnly clear a lock whose holder is gone: a run that still holds it will find the lock lost and stop\n' +
        'starting new actions. An expired lock needs no force-unlock: the next run takes it over.\n' +
        'Examples:\n  navarch force-unlock 0f6e2c1a-... --repo https://github.com/org/fleet.git\n  navarch force-unlock 0f6e2c1a-... --dir .   (uses the upstream of the checked-out branch)',
    );
  withRepo(withDir(cmd)).action(async (id: string, opts: ForceUnlockOptions, command: Command) => {
    const logger = cliLogger(ctx);
    const target =
      (await gitTarget(ctx, command, { ...opts, commit: false }, logger)) ??
      (await localTarget(resolveDir(ctx, opts.dir), true, { env: ctx.env, clock: ctx.clock, author: authorOf(opts), logger }));
    const remote = await target.lockRemote();
    if (!remote) throw new NavarchError('git.no-remote', `${target.label} has no remote holding a fleet lock`);
    let ref = opts.lockRef;
    if (ref === undefined) ref = lockRefFor(opts.fleet ?? (await readTarget(target)).desired.fleet);
    const removed = await forceUnlock(remote, ref, id);
    if (opts.json) ctx.stdout.write(`${JSON.stringify({ removed, ref }, null, 2)}\n`);
    else ctx.stdout.write(`Removed the fleet lock on ${ref}: ${describeLock(removed, ctx.clock.now())}.\n`);
  });
}
