/** `navarch apply [PLANFILE]`: make the fleet match the configuration. */
import type { Command } from 'commander';
import { apply, type ApplyResult } from '../apply/index.js';
import { openWorkspace, planWorkspace, saveMemory, statusWriter, type Workspace } from '../engine/index.js';
import { NavarchError, planHasChanges, type Plan } from '../model/index.js';
import { checkStale, loadPlan, renderText } from '../plan/index.js';
import { colorEnabled, colors, type CliContext } from './context.js';
import { Progress } from './progress.js';
import { confirm } from './prompt.js';
import { cliLogger, reportGaps, resolveDir, withColor, withDir, type DirOptions } from './shared.js';

interface ApplyOptions extends DirOptions {
  autoApprove?: boolean;
  allowDestroy?: boolean;
  concurrency?: string;
}

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
        'A saved plan is applied without a prompt, exactly as shown, or refused when stale.',
    );
  withColor(withDir(cmd)).action(async (planfile: string | undefined, opts: ApplyOptions) => {
    parseConcurrency(opts.concurrency); // refuse a bad flag before touching anything
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
      const gaps = ws.observation.observed.gaps;
      if (!planHasChanges(plan)) {
        // Nothing to change, but the status still records what was observed (e.g. a node an
        // interrupted run created and this run adopted).
        await run(ctx, ws, plan, opts, controller.signal, c, true);
        ctx.exitCode = reportGaps(ctx, gaps);
        return;
      }
      if (!planfile && !opts.autoApprove) {
        if (!ctx.stdin.isTTY) {
          throw new NavarchError('apply.not-approved', 'apply needs --auto-approve when not run from a terminal; nothing was changed');
        }
        if (!(await confirm(ctx, '\nDo you want to perform these actions?'))) {
          ctx.stdout.write('\nApply cancelled.\n');
          ctx.exitCode = 1;
          return;
        }
      }
      ctx.stdout.write('\n');
      const result = await run(ctx, ws, plan, opts, controller.signal, c);
      ctx.exitCode = reportGaps(ctx, gaps) || (result.ok ? 0 : 1);
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
  c: ReturnType<typeof colors>,
  quiet = false,
): Promise<ApplyResult> {
  const concurrency = parseConcurrency(opts.concurrency);
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
    const count = (kind: string): number => result.results.filter((r) => r.result === 'ok' && r.action.kind === kind).length;
    const added = count('create') + count('replace');
    const destroyed = count('destroy') + count('replace');
    const failed = result.results.filter((r) => r.result === 'failed').length;
    const skipped = result.results.filter((r) => r.result === 'skipped').length;
    const line = `Resources: ${added} added, ${count('update')} changed, ${destroyed} destroyed.`;
    if (result.ok) ctx.stdout.write(`\n${c.green(c.bold('Apply complete!'))} ${line}\n`);
    else ctx.stdout.write(`\n${c.red(c.bold('Apply incomplete:'))} ${failed} failed, ${skipped} skipped. ${line}\nRun \`navarch plan\` to see what is left.\n`);
    ctx.stdout.write(`Status written to ${ws.desired.statusFile}.\n`);
    return result;
  } finally {
    progress.stop();
  }
}

function parseConcurrency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n > 0)) throw new NavarchError('cli.invalid', `--concurrency must be a positive whole number, not "${text}"`);
  return n;
}
