/** `navarch apply [PLANFILE]`: make the fleet match the configuration. */
import type { Command } from 'commander';
import { apply, type ApplyResult } from '../apply/index.js';
import { openWorkspace, planWorkspace, saveMemory, statusWriter, type Workspace } from '../engine/index.js';
import { NavarchError, planHasChanges, type Plan } from '../model/index.js';
import { checkStale, loadPlan, renderText } from '../plan/index.js';
import { approved, parseConcurrency, printResult, type ApplyOptions } from './apply-output.js';
import { colorEnabled, colors, type CliContext, type Colors } from './context.js';
import { applyToTarget } from './git-apply.js';
import { gitTarget, withCommit, withLock, withRepo } from './git-options.js';
import { Progress } from './progress.js';
import { cliLogger, reportGaps, resolveDir, withColor, withDir } from './shared.js';

export function registerApply(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('apply')
    .argument('[planfile]', 'a plan saved by `navarch plan --out FILE`; refused if the configuration or the fleet changed since')
    .description('Create, replace and destroy nodes until the fleet matches the configuration; write the status file')
    .option('--auto-approve', 'do not ask for confirmation (required when not on a terminal)')
    .option('--allow-destroy', 'allow a plan that destroys more than `safety.max_destroy_percent` of a pool')
    .option('--concurrency <n>', 'provider calls in flight at once (default: apply.concurrency, 8)')
    .addHelpText(
      'after',
      '\nExit codes: 0 applied (or nothing to do), 1 error or an action failed.\n' +
        'A saved plan is applied without a prompt, exactly as shown, or refused when stale.\n\n' +
        'With --repo URL, apply takes the fleet lock on the repository, reads the branch head, applies,\n' +
        'then commits the status file and pushes it (re-applied on the new head if the branch moved).\n' +
        'Examples:\n  navarch apply --dir examples/quickstart --auto-approve\n' +
        '  NAVARCH_GIT_TOKEN=... navarch apply --repo https://github.com/org/fleet.git --auto-approve --lock-timeout 10m\n' +
        '  navarch apply --dir . --commit --push --auto-approve',
    );
  withLock(withCommit(withRepo(withColor(withDir(cmd))))).action(async (planfile: string | undefined, opts: ApplyOptions, command: Command) => {
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
      const target = await gitTarget(ctx, command, opts, cliLogger(ctx));
      if (target) {
        await applyToTarget(ctx, target, planfile, opts, controller.signal, c, concurrency);
        return;
      }
      const ws = await openWorkspace({ source: resolveDir(ctx, opts.dir), clock: ctx.clock, logger: cliLogger(ctx), env: ctx.env });
      let plan: Plan;
      if (planfile) {
        plan = await loadPlan(resolveDir(ctx, planfile));
        checkStale(plan, {
          desiredDigest: ws.desired.digest,
          desiredCommit: ws.desired.commit ?? null,
          observedDigest: planWorkspace(ws, ctx.clock).observed.digest,
        });
      } else {
        plan = planWorkspace(ws, ctx.clock);
      }
      ctx.stdout.write(renderText(plan, { color: colorEnabled(ctx, opts) }));
      if (!planHasChanges(plan)) {
        // Nothing to change, but the status still records what was observed (e.g. a node an
        // interrupted run created and this run adopted).
        await run(ctx, ws, plan, opts, controller.signal, c, concurrency, true);
        ctx.exitCode = reportGaps(ctx, ws.observation.observed.gaps);
        return;
      }
      if (!planfile && !(await approved(ctx, opts))) return;
      ctx.stdout.write('\n');
      const result = await run(ctx, ws, plan, opts, controller.signal, c, concurrency);
      ctx.exitCode = reportGaps(ctx, ws.observation.observed.gaps) || (result.ok ? 0 : 1);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

async function run(
  ctx: CliContext,
  ws: Workspace,
  plan: Plan,
  opts: ApplyOptions,
  signal: AbortSignal,
  c: Colors,
  concurrency: number | undefined,
  quiet = false,
): Promise<ApplyResult> {
  const progress = new Progress(ctx.stdout, c, ctx.clock, plan.actions.length, ctx.stdout.isTTY);
  try {
    const result = await apply({
      plan,
      desired: ws.desired,
      observed: ws.observation.observed,
      previousStatus: ws.status,
      providers: ws.providers,
      clock: ctx.clock,
      writeStatus: statusWriter(ws),
      onEvent: (e) => progress.handle(e),
      allowDestroy: opts.allowDestroy ?? false,
      signal,
      memory: ws.memory,
      ...(concurrency ? { concurrency } : {}),
    });
    progress.stop();
    await saveMemory(ws.root, ws.memory);
    if (quiet) return result;
    printResult(ctx, result, c);
    ctx.stdout.write(`Status written to ${ws.desired.statusFile}.\n`);
    return result;
  } finally {
    progress.stop();
  }
}
