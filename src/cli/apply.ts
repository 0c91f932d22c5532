/** `navarch apply [PLANFILE]`: make the fleet match the configuration. */
import type { Command } from 'commander';
import { NavarchError, outputFormat } from '../model/index.js';
import { parseConcurrency, type ApplyOptions } from './apply-output.js';
import { colorEnabled, colors, type CliContext } from './context.js';
import { applyToTarget } from './git-apply.js';
import { anyTarget, withCommit, withLock, withRepo } from './git-options.js';
import { sharedOption, withColor, withDir, withOutput } from './options.js';
import { cliLogger } from './shared.js';

export function registerApply(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('apply')
    .argument('[planfile]', 'a plan saved by `navarch plan --out FILE`; refused if the configuration or the fleet changed since')
    .description('Create, replace and destroy nodes until the fleet matches the configuration; write the status file')
    .option('--auto-approve', 'do not ask for confirmation (required when not on a terminal)')
    .addOption(sharedOption('allowDestroy'))
    .addOption(sharedOption('allowLarge'))
    .addOption(sharedOption('concurrency'))
    .addHelpText(
      'after',
      '\nExit codes: 0 applied (or nothing to do), 1 error or an action failed.\n' +
        'A saved plan is applied without a prompt, exactly as shown, or refused when stale.\n' +
        'With --json, prints JSON Lines: the plan, one object per progress event, then the result; it needs\n' +
        '--auto-approve or a saved plan, as it cannot ask.\n\n' +
        'With --repo URL, apply takes the fleet lock on the repository, reads the branch head, applies,\n' +
        'then commits the status file and pushes it (re-applied on the new head if the branch moved).\n' +
        'With --dir, the lock is DIR/.navarch/lock.json, so two applies on one directory take turns.\n' +
        'Examples:\n  navarch apply --dir examples/quickstart --auto-approve\n' +
        '  NAVARCH_GIT_TOKEN=... navarch apply --repo https://github.com/org/fleet.git --auto-approve --lock-timeout 10m\n' +
        '  navarch apply --dir . --commit --push --auto-approve',
    );
  withLock(withCommit(withRepo(withColor(withOutput(withDir(cmd)))))).action(async (planfile: string | undefined, opts: ApplyOptions, command: Command) => {
    if (outputFormat(opts) === 'json' && !opts.autoApprove && planfile === undefined) {
      throw new NavarchError('cli.invalid', 'apply --json needs --auto-approve or a saved plan file, as it cannot ask for confirmation; nothing was changed');
    }
    const c = colors(colorEnabled(ctx, opts));
    const controller = new AbortController();
    let signals = 0;
    const onSignal = (): void => {
      signals += 1;
      if (signals === 1) {
        ctx.stderr.write('\nStopping: actions in flight will finish, nothing new starts. Press Ctrl-C again to exit now.\n');
        controller.abort(new NavarchError('apply.interrupted', 'interrupted'));
      } else process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const concurrency = parseConcurrency(opts.concurrency);
      // A plain directory is a target too: the same pass, without a lock or a commit.
      const target = await anyTarget(ctx, command, opts, cliLogger(ctx));
      await applyToTarget(ctx, target, planfile, opts, controller.signal, c, concurrency);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
