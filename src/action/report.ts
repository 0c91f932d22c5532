/**
 * What the action hands back to the workflow: outputs, the job summary, annotations, log lines.
 * Everything goes through redaction first.
 */
import * as core from '@actions/core';
import { repoPath } from '../github/index.js';
import { planHasChanges, redact, type ConfigError, type ObservationGap, type Plan } from '../model/index.js';
import { summaryLine } from '../plan/index.js';

/** A log line (redacted). */
export function log(text: string): void {
  core.info(redact(text));
}

/** A collapsible group of log lines (redacted), e.g. the whole text plan under its summary line. */
export function logGroup(title: string, text: string): void {
  core.startGroup(redact(title));
  core.info(redact(text));
  core.endGroup();
}

/** `+47.84`, `-2.49`, `+0.00`: the fleet's cost change in USD per hour. */
export function costDeltaText(delta: number): string {
  const cents = Math.round(delta * 100);
  return `${cents < 0 ? '-' : '+'}${(Math.abs(cents) / 100).toFixed(2)}`;
}

/** Sets `has-changes`, `summary`, `cost-delta` and `plan-file`. */
export function setPlanOutputs(plan: Plan, planFile: string | undefined): void {
  core.setOutput('has-changes', planHasChanges(plan) ? 'true' : 'false');
  core.setOutput('summary', summaryLine(plan));
  core.setOutput('cost-delta', costDeltaText(plan.cost.delta));
  if (planFile !== undefined) core.setOutput('plan-file', planFile);
}

/** Appends markdown to the step's job summary. */
export async function addSummary(markdown: string): Promise<void> {
  await core.summary.addRaw(redact(markdown), true).write();
}

/**
 * One error annotation per diagnostic, on the file and line as the repository has them (the
 * config directory prefixed), so each lands on the pull request's diff where the mistake is.
 */
export function annotateConfigError(err: ConfigError, dir: string): void {
  for (const d of err.diagnostics) {
    core.error(redact(d.path ? `${d.message} (at ${d.path})` : d.message), {
      title: 'navarch: invalid configuration',
      file: repoPath(dir, d.file),
      startLine: d.line,
      startColumn: d.column,
    });
  }
}

/** The failure for providers that could not be listed (their pools were left unplanned). */
export function gapsMessage(gaps: readonly ObservationGap[]): string | undefined {
  if (gaps.length === 0) return undefined;
  return gaps.map((g) => `provider "${g.provider}" could not be listed: ${g.reason}; its pools were left unchanged`).join('\n');
}
