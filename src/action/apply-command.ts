/**
 * `command: apply`, on a push to the default branch: exactly `navarch apply --dir DIR --commit
 * --push`, through the same engine pass. It takes the fleet lock on the repository's remote,
 * plans the pushed commit, applies, commits the status file (`[skip ci]`) and pushes it. With
 * `require-reviewed-plan`, the plan must be the one the merged pull request showed.
 */
import { runPass, type PassOutcome } from '../engine/index.js';
import { DEFAULT_AUTHOR, describeLock, localTarget, type PublishOutcome } from '../git/index.js';
import type { GitHub } from '../github/index.js';
import { NavarchError, planHasChanges, redactValue, systemClock, type Plan } from '../model/index.js';
import { renderText, savePlan, summaryLine } from '../plan/index.js';
import type { ApplyEvent } from '../apply/index.js';
import type { RunContext } from './context.js';
import type { Inputs } from './inputs.js';
import { actionLogger, configRoot, planFilePath, serverFacts } from './plan-step.js';
import { addSummary, gapsMessage, log, logGroup, setPlanOutputs } from './report.js';
import { applyResultMarkdown, applySummaryBody } from './apply-summary.js';
import { checkReviewed, findReview } from './review.js';

/** Runs `command: apply`. */
export async function applyCommand(ctx: RunContext, inputs: Inputs, gh: GitHub | undefined): Promise<void> {
  if (ctx.eventName === 'pull_request' || ctx.eventName === 'pull_request_target') {
    throw new NavarchError(
      'action.input',
      'command: apply runs on pushes to the default branch (or by hand), not on pull requests: a pull request checkout is a preview of the merge and cannot be pushed. Use command: plan for pull requests.',
    );
  }
  if (!inputs.token) throw new NavarchError('action.input', 'command: apply needs a token to push the status file and take the fleet lock: set github-token (it defaults to github.token)');
  if (inputs.requireReviewedPlan && !gh) throw new NavarchError('action.input', 'require-reviewed-plan needs github-token to read the pull request');
  const review = inputs.requireReviewedPlan && gh ? await findReview(gh, ctx.repo, ctx.sha, inputs.dir) : undefined;
  if (review) log(review.pull ? `Commit ${ctx.sha.slice(0, 7)} merged pull request #${review.pull.number}; its plan comment ${review.comment ? 'was found' : 'was not found'}.` : `Commit ${ctx.sha.slice(0, 7)} came from no merged pull request.`);

  // The checkout's remote is reached with the action's token, exactly as the CLI reads NAVARCH_GIT_TOKEN.
  const env = { ...ctx.env, NAVARCH_GIT_TOKEN: inputs.token };
  const logger = actionLogger(ctx);
  const target = await localTarget(configRoot(ctx, inputs), true, { env, clock: systemClock, author: DEFAULT_AUTHOR, logger });
  const { facts, note } = await serverFacts(inputs);
  const shown = { dir: inputs.dir, commit: ctx.sha, runUrl: ctx.runUrl, ...(note ? { notes: [note] } : {}) };
  let considered: Plan | undefined;
  let started = false;
  let outcome: PassOutcome;
  try {
    outcome = await runPass({
      target,
      command: 'navarch apply (GitHub Actions)',
      author: DEFAULT_AUTHOR,
      clock: systemClock,
      logger,
      env,
      ...(facts ? { facts } : {}),
      lock: {
        timeoutMs: inputs.lockTimeoutMs,
        holder: ctx.holder,
        onWait: (lock) => log(`Waiting for the fleet lock, held by ${describeLock(lock, Date.now())}…`),
        onTakeOver: (lock, why) => log(`Took over ${why === 'gone' ? 'the fleet lock of a run that is no longer running' : 'an expired fleet lock'} (${describeLock(lock, Date.now())}).`),
        onAcquired: (lock) => log(`Acquired the fleet lock ${lock.id}.`),
      },
      allowDestroy: inputs.allowDestroy,
      allowLarge: inputs.allowLarge,
      decide: async (fresh) => {
        considered = fresh;
        await savePlan(planFilePath(ctx, fresh.fleet), redactValue(fresh));
        logGroup(summaryLine(fresh), renderText(fresh, { color: false }));
        if (review) checkReviewed(review, fresh);
        return fresh;
      },
      onEvent: (e) => {
        started = true;
        log(eventLine(e));
      },
    });
  } catch (err) {
    if (considered) {
      setPlanOutputs(considered, planFilePath(ctx, considered.fleet));
      const why = (err instanceof Error ? err.message : String(err)).replace(/```/g, "'''");
      const what = started ? 'The apply stopped with an error after some actions ran; see the log, and run the workflow again to finish.' : 'This plan was not applied; nothing was changed.';
      await addSummary(`${applySummaryBody(considered, shown)}\n> [!CAUTION]\n> ${what}\n\n\`\`\`text\n${why}\n\`\`\`\n`);
    }
    throw err;
  }
  const { plan, result, published } = outcome;
  setPlanOutputs(plan, planFilePath(ctx, plan.fleet));
  const resultText = result ? applyResultMarkdown(result) : 'Nothing was applied.';
  const statusText = published ? publishText(published, outcome.state.snapshot.branch) : '';
  log(`${resultText.replace(/\*\*/g, '')}\n${statusText}`);
  await addSummary(`${applySummaryBody(plan, shown)}\n${resultText}\n\n${statusText}\n`);
  const failures = [result && !result.ok ? 'some actions failed; see the log' : undefined, gapsMessage(outcome.gaps)].filter(Boolean);
  if (failures.length > 0) throw new Error(failures.join('\n'));
  if (!planHasChanges(plan)) log('No changes: the fleet matches the configuration.');
}

/** One sentence on what happened to the status file in git. */
function publishText(p: PublishOutcome, branch: string): string {
  if (!p.changed) return 'Status unchanged; nothing to commit.';
  if (!p.commit) return p.note ?? 'Status already on the branch.';
  const sha = p.commit.slice(0, 7);
  if (!p.pushed) return `Status committed as ${sha} but not pushed.${p.note ? ` ${p.note}` : ''}`;
  const moved = p.attempts > 1 ? ` (${branch} moved meanwhile; the status change was made again on its new head)` : '';
  return `Status committed as ${sha} and pushed to ${branch}${moved}.`;
}

/** A progress line for the log. */
function eventLine(e: ApplyEvent): string {
  const node = `${e.action.kind} ${e.action.node}`;
  switch (e.type) {
    case 'start':
      return `${node}: started`;
    case 'step':
      return `${node}: ${e.message}`;
    case 'retry':
      return `${node}: ${e.error}; retrying in ${Math.round(e.waitMs / 1000)}s (attempt ${e.attempt})`;
    case 'failover':
      return `${node}: ${e.from}: ${e.error} → ${e.to}`;
    case 'done':
      return `${node}: done in ${Math.round(e.durationMs / 1000)}s`;
    case 'failed':
      return `${node}: failed: ${e.error}`;
    case 'skipped':
      return `${node}: skipped: ${e.reason}`;
  }
}
