/**
 * `command: drift`, on a schedule: plan the default branch's checkout against the fleet, and keep
 * one issue open while they differ (opened, then updated by each check), closed by the first check
 * that finds them matching again.
 */
import { driftIssueBody, driftTitle, planSummaryBody, syncDriftIssue, type GitHub } from '../github/index.js';
import { NavarchError, planHasChanges } from '../model/index.js';
import { renderText, summaryLine } from '../plan/index.js';
import type { RunContext } from './context.js';
import type { Inputs } from './inputs.js';
import { planCheckout } from './plan-step.js';
import { addSummary, gapsMessage, log, logGroup, setPlanOutputs } from './report.js';
import * as core from '@actions/core';

/** Runs `command: drift`. */
export async function driftCommand(ctx: RunContext, inputs: Inputs, gh: GitHub | undefined): Promise<void> {
  if (!gh) throw new NavarchError('action.input', 'command: drift needs a token to open and close its issue: set github-token (it defaults to github.token)');
  const { plan, gaps, file, note } = await planCheckout(ctx, inputs);
  logGroup(summaryLine(plan), renderText(plan, { color: false }));
  setPlanOutputs(plan, file);
  const where = { dir: inputs.dir, commit: ctx.sha, runUrl: ctx.runUrl, ...(note ? { notes: [note] } : {}) };
  await addSummary(planSummaryBody(plan, where));
  // A provider that could not be listed says nothing about drift either way: leave the issue as it is.
  const failed = gapsMessage(gaps);
  if (failed) throw new Error(`cannot tell whether the fleet drifted: ${failed}`);
  const drifted = planHasChanges(plan);
  const outcome = await syncDriftIssue(gh, ctx.repo, {
    dir: inputs.dir,
    drifted,
    title: driftTitle(plan.fleet, inputs.dir),
    body: driftIssueBody(plan, where),
    resolvedComment: `The fleet matches its configuration again (checked at ${ctx.sha.slice(0, 7)}, [workflow run](${ctx.runUrl})). Closing.`,
  });
  if (outcome.number !== undefined) core.setOutput('drift-issue', String(outcome.number));
  const said = {
    opened: `Drift found (${summaryLine(plan)}); opened issue #${outcome.number ?? '?'}.`,
    updated: `Drift found (${summaryLine(plan)}); updated issue #${outcome.number ?? '?'}.`,
    closed: `No drift; closed issue #${outcome.number ?? '?'}.`,
    none: 'No drift.',
  }[outcome.action];
  log(said);
}
