/** `navarch apply` against any target (a directory, a local clone, a remote): lock, read, plan, apply, write or commit the status. */
import { runPass, type PassOutcome } from '../engine/index.js';
import { describeLock, type ConfigTarget, type PublishOutcome } from '../git/index.js';
import { EXIT, outputFormat, planHasChanges, type Plan } from '../model/index.js';
import { checkStale, loadPlan, renderText } from '../plan/index.js';
import { eventLine, planLine, resultLine } from './apply-json.js';
import { approved, printResult, type ApplyOptions } from './apply-output.js';
import { colorEnabled, type CliContext, type Colors } from './context.js';
import { authorOf, lockOptions } from './git-options.js';
import { Progress } from './progress.js';
import { cliLogger, resolveDir, reportGaps } from './shared.js';

export async function applyToTarget(
  ctx: CliContext,
  target: ConfigTarget,
  planfile: string | undefined,
  opts: ApplyOptions,
  signal: AbortSignal,
  c: Colors,
  concurrency: number | undefined,
): Promise<void> {
  let progress: Progress | undefined;
  let waiting = false;
  const json = outputFormat(opts) === 'json';
  const saved = planfile ? await loadPlan(resolveDir(ctx, planfile)) : undefined;
  try {
    const outcome = await runPass({
      target,
      command: 'navarch apply',
      author: authorOf(opts),
      clock: ctx.clock,
      logger: cliLogger(ctx),
      env: ctx.env,
      signal,
      lock: {
        ...lockOptions(ctx, opts),
        onWait: (lock) => {
          if (!waiting) ctx.stderr.write(`Waiting for the fleet lock, held by ${describeLock(lock, ctx.clock.now())}…\n`);
          waiting = true;
        },
        onTakeOver: (lock, why) =>
          ctx.stderr.write(`Took over ${why === 'gone' ? 'the fleet lock of a run that is no longer running' : 'an expired fleet lock'} (${describeLock(lock, ctx.clock.now())}).\n`),
        // A directory's own lock is only worth a word when someone else had it first.
        onAcquired: (lock, store) => {
          if (!store.local || waiting) ctx.stderr.write(`Acquired the fleet lock ${lock.id} on ${target.label}.\n`);
        },
      },
      decide: async (fresh, ws) => {
        let plan: Plan = fresh;
        if (saved) {
          checkStale(saved, { desiredDigest: ws.desired.digest, desiredCommit: ws.desired.commit ?? null, observedDigest: fresh.observed.digest });
          plan = saved;
        }
        if (json) {
          ctx.stdout.write(planLine(plan));
          return plan;
        }
        ctx.stdout.write(renderText(plan, { color: colorEnabled(ctx, opts) }));
        if (!planHasChanges(plan)) return plan;
        if (!saved && !(await approved(ctx, opts))) return undefined;
        ctx.stdout.write('\n');
        progress = new Progress(ctx.stdout, c, ctx.clock, plan.actions.length, ctx.stdout.isTTY);
        return plan;
      },
      onEvent: (e) => (json ? ctx.stdout.write(eventLine(e, ctx.clock.now())) : progress?.handle(e)),
      allowDestroy: opts.allowDestroy ?? false,
      allowLarge: opts.allowLarge ?? false,
      ...(concurrency ? { concurrency } : {}),
    });
    progress?.stop();
    if (json) {
      ctx.stdout.write(resultLine(outcome.result, outcome.published));
      ctx.exitCode = reportGaps(ctx, outcome.gaps) || (outcome.result?.ok ? EXIT.ok : EXIT.error);
    } else report(ctx, outcome, c);
  } finally {
    progress?.stop();
  }
}

function report(ctx: CliContext, outcome: PassOutcome, c: Colors): void {
  const { result, published } = outcome;
  if (!result) return;
  if (planHasChanges(outcome.plan) || !result.ok) printResult(ctx, result, c);
  if (published) ctx.stdout.write(`${publishLine(published, outcome.state.snapshot.branch)}\n`);
  ctx.exitCode = reportGaps(ctx, outcome.gaps) || (result.ok ? EXIT.ok : EXIT.error);
}

/** One sentence on what happened to the status file in git. */
export function publishLine(p: PublishOutcome, branch: string): string {
  if (!p.changed) return 'Status unchanged; nothing to commit.';
  if (!p.commit) return p.note ?? 'Status already on the branch.';
  const sha = p.commit.slice(0, 7);
  if (p.note) return `Status committed as ${sha}. ${p.note}`;
  if (!p.pushed) return `Status committed as ${sha} on ${branch} (not pushed; add --push to publish it).`;
  const moved = p.attempts > 1 ? ` (${branch} moved meanwhile; the status change was re-applied on its new head)` : '';
  return `Status committed as ${sha} and pushed to ${branch}${moved}.`;
}
