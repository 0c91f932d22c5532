/**
 * `command: plan`. On a pull request: plan the checkout (GitHub's preview of the merge), post or
 * edit the one sticky comment for this config directory, write the same to the job summary, and
 * mark configuration errors on the lines of the diff. On any other event: plan, summary, outputs.
 */
import * as core from '@actions/core';
import { errorCommentBody, planCommentBody, planSummaryBody, upsertPlanComment, type GitHub } from '../github/index.js';
import { asNavarchError, ConfigError, planHasChanges, redact } from '../model/index.js';
import { renderText, summaryLine } from '../plan/index.js';
import { pullRequestOf, type PullRequestEvent, type RunContext } from './context.js';
import type { Inputs } from './inputs.js';
import { planCheckout } from './plan-step.js';
import { addSummary, annotateConfigError, gapsMessage, log, logGroup, setPlanOutputs } from './report.js';

/** Runs `command: plan`; `gh` is undefined when no token was given (no comment is possible then). */
export async function planCommand(ctx: RunContext, inputs: Inputs, gh: GitHub | undefined): Promise<void> {
  const pr = pullRequestOf(ctx);
  const commenting = pr !== undefined && inputs.comment !== 'never';
  if (commenting && !gh) {
    throw new Error('commenting on the pull request needs a token: set github-token (it defaults to github.token), or comment: never');
  }
  const where = { dir: inputs.dir, runUrl: ctx.runUrl, ...(pr?.headSha ? { commit: pr.headSha } : {}) };
  let planned: Awaited<ReturnType<typeof planCheckout>>;
  try {
    planned = await planCheckout(ctx, inputs);
  } catch (err) {
    const problem = err instanceof ConfigError ? { diagnostics: err.diagnostics } : { message: asNavarchError(err).message };
    if (err instanceof ConfigError) annotateConfigError(err, inputs.dir);
    const body = errorCommentBody(problem, where);
    await addSummary(body);
    // A comment still showing an older plan would be taken for the current one: replace it.
    if (commenting && gh && pr) await comment(gh, ctx, inputs, pr, body, true);
    throw err instanceof ConfigError ? new Error(`the configuration has ${err.diagnostics.length} ${err.diagnostics.length === 1 ? 'error' : 'errors'}; see the annotations`) : err;
  }
  const { plan, gaps, file, note } = planned;
  logGroup(summaryLine(plan), renderText(plan, { color: false }));
  setPlanOutputs(plan, file);
  const shown = { ...where, ...(note ? { notes: [note] } : {}) };
  await addSummary(planSummaryBody(plan, shown));
  if (commenting && gh && pr) {
    // changes-only still edits an existing comment, so "2 to add" does not linger once the PR no longer adds anything.
    await comment(gh, ctx, inputs, pr, planCommentBody(plan, shown), inputs.comment === 'always' || planHasChanges(plan));
  }
  const failed = gapsMessage(gaps);
  if (failed) throw new Error(failed);
}

async function comment(gh: GitHub, ctx: RunContext, inputs: Inputs, pr: PullRequestEvent, body: string, create: boolean): Promise<void> {
  const outcome = await upsertPlanComment(gh, ctx.repo, pr.number, inputs.dir, body, create);
  if (outcome.action === 'skipped') log(`No changes, so no comment on #${pr.number} (comment: ${inputs.comment}).`);
  else {
    log(`${outcome.action === 'created' ? 'Commented' : 'Updated the plan comment'} on #${pr.number}: ${outcome.url ?? ''}`);
    core.setOutput('comment-url', redact(outcome.url ?? ''));
  }
}
