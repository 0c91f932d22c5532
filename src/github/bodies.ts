/**
 * The markdown navarch posts: the plan comment, the job summary, the error comment and the drift
 * issue. Every body is redacted as a whole before it leaves, and kept under GitHub's limits: 65,536
 * characters for a comment or issue body, 1 MiB for a step's job summary.
 */
import { formatDiagnostic, redact, redactValue, type Diagnostic, type Plan } from '../model/index.js';
import { renderMarkdown } from '../plan/index.js';
import { formatDriftMarker, formatPlanMarker, normalizeDir, planMarkerFor, type PlanMarker } from './marker.js';

/** GitHub refuses comment and issue bodies longer than this (characters). */
export const GITHUB_BODY_LIMIT = 65_536;
/** What navarch allows itself, leaving room for redaction to lengthen a body. */
export const COMMENT_BUDGET = 60_000;
/** GitHub refuses a step's job summary larger than this (bytes). */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** Where a plan was made, for titles and footers. */
export interface PlanContext {
  /** Config directory relative to the repository root. */
  dir: string;
  /** The commit planned (a pull request's head), if any. */
  commit?: string;
  /** Link to the workflow run, whose page shows the job summary. */
  runUrl?: string;
  /** What the reader should know about how the plan was made (e.g. without the control plane's node health), shown under it. */
  notes?: readonly PlanNote[];
}

/** One line under a plan; a warning is set apart as one. */
export interface PlanNote {
  warning: boolean;
  text: string;
}

/** `navarch plan for fleet `research`` (and ` in `fleet/`` when the config is not at the root). */
export function planTitle(fleet: string | undefined, dir: string, verb: 'plan' | 'apply' = 'plan'): string {
  const d = normalizeDir(dir);
  const name = fleet ? `navarch ${verb} for fleet \`${fleet}\`` : `navarch ${verb}`;
  return d === '.' ? name : `${name} in \`${d}/\``;
}

/** The notes as GitHub alerts, each followed by a blank line; empty without notes. */
function notesBlock(ctx: PlanContext): string {
  return (ctx.notes ?? []).map((n) => `> [!${n.warning ? 'WARNING' : 'NOTE'}]\n> ${md(n.text.replace(/\s+/g, ' '))}\n\n`).join('');
}

function footer(ctx: PlanContext, what: string): string {
  const parts = [ctx.commit ? `${what} at ${ctx.commit.slice(0, 7)}` : what, ctx.runUrl ? `[workflow run](${ctx.runUrl})` : undefined];
  return `<sub>${parts.filter(Boolean).join(' · ')}</sub>\n`;
}

/** Shrinks the budget until `render(budget)` fits `limit` once redacted (redaction can lengthen text). */
function fit(render: (budget: number) => string, budget: number, limit: (s: string) => boolean): string {
  let b = budget;
  for (;;) {
    const out = redact(render(b));
    if (limit(out) || b < 1_000) return out;
    b = Math.floor(b * 0.9);
  }
}

/** The sticky comment: marker, summary, cost, pool table, the plan (collapsed and cut when long). */
export function planCommentBody(plan: Plan, ctx: PlanContext, budget = COMMENT_BUDGET): string {
  const marker = formatPlanMarker(planMarkerFor(plan, ctx.dir));
  const safe = redactValue(plan);
  const foot = `${notesBlock(ctx)}${footer(ctx, 'Planned')}`;
  const pointer = ctx.runUrl ? `the [job summary](${ctx.runUrl})` : 'the job summary';
  return fit(
    (b) => `${renderMarkdown(safe, { maxChars: b - foot.length - 1, title: planTitle(plan.fleet, ctx.dir), marker, summaryPointer: pointer })}\n${foot}`,
    budget,
    (s) => s.length <= Math.min(budget, GITHUB_BODY_LIMIT),
  );
}

/**
 * The same plan for the job summary, with room for all of it (GitHub keeps 1 MiB per step);
 * `verb` titles it as a plan or an apply.
 */
export function planSummaryBody(plan: Plan, ctx: PlanContext, verb: 'plan' | 'apply' = 'plan', limitBytes = SUMMARY_LIMIT_BYTES - 16 * 1024): string {
  const safe = redactValue(plan);
  const foot = `${notesBlock(ctx)}${footer(ctx, 'Planned')}`;
  return fit(
    (b) => `${renderMarkdown(safe, { maxChars: b - foot.length - 1, title: planTitle(plan.fleet, ctx.dir, verb), summaryPointer: 'the plan file (the `plan-file` output)' })}\n${foot}`,
    // Markdown here is mostly ASCII; a few arrows and ellipses take 3 bytes.
    Math.floor(limitBytes * 0.95),
    (s) => Buffer.byteLength(s) <= limitBytes,
  );
}

/** Lines that fit `budget` characters, the last saying how many were left out. */
function fitList(lines: string[], budget: number, more: (n: number) => string): string[] {
  const out: string[] = [];
  let used = 0;
  for (const [i, line] of lines.entries()) {
    const tail = i < lines.length - 1 ? more(lines.length - i).length + 1 : 0;
    if (used + line.length + 1 + tail > budget) {
      out.push(more(lines.length - i));
      return out;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out;
}

/** Escapes text for a markdown list item. */
function md(text: string): string {
  return text.replace(/[\\`*_[\]<>|$~]/g, '\\$&');
}

/** A diagnostic's file as seen from the repository root (where annotations and links point). */
export function repoPath(dir: string, file: string): string {
  const d = normalizeDir(dir);
  return d === '.' ? file : `${d}/${file}`;
}

/**
 * The comment shown instead of a plan when none could be made: every configuration error with its
 * place, or the failure. Its marker records no plan, so an apply requiring a reviewed plan refuses.
 */
export function errorCommentBody(
  problem: { diagnostics: Diagnostic[] } | { message: string },
  ctx: PlanContext & { fleet?: string },
  budget = COMMENT_BUDGET,
): string {
  const marker: PlanMarker = { dir: normalizeDir(ctx.dir), fleet: ctx.fleet, plan: undefined, format: undefined, summary: undefined, desired: undefined, observed: undefined };
  const head = [formatPlanMarker(marker), `### ${planTitle(ctx.fleet, ctx.dir)}`];
  const foot = footer(ctx, 'Tried');
  let text: string[];
  if ('diagnostics' in problem) {
    const n = problem.diagnostics.length;
    head.push(`**The configuration is invalid: ${n} ${n === 1 ? 'error' : 'errors'}.** Nothing can be planned until ${n === 1 ? 'it is' : 'they are'} fixed; each is also marked on the changed files.`);
    const items = problem.diagnostics.map((d) => `- ${md(formatDiagnostic({ ...d, file: repoPath(ctx.dir, d.file) }))}`);
    text = fitList(items, budget - head.join('\n\n').length - foot.length - 8, (k) => `- … and ${k} more`);
  } else {
    head.push('**navarch could not make a plan.**');
    text = ['```', problem.message.replace(/```/g, "'''").slice(0, Math.max(0, budget - 2_000)), '```'];
  }
  return redact(`${head.join('\n\n')}\n\n${text.join('\n')}\n\n${foot}`);
}

/** The drift issue's title. */
export function driftTitle(fleet: string, dir: string): string {
  const d = normalizeDir(dir);
  return `navarch: fleet ${fleet}${d === '.' ? '' : ` (${d}/)`} has drifted from its configuration`;
}

/** The drift issue's body: its marker, then the plan that would bring the fleet back. */
export function driftIssueBody(plan: Plan, ctx: PlanContext, budget = COMMENT_BUDGET): string {
  const marker = formatDriftMarker(ctx.dir, plan.fleet);
  const safe = redactValue(plan);
  const intro =
    'The fleet no longer matches the configuration on the default branch. Applying this plan brings it back; ' +
    'the next check closes this issue once they match again.';
  const foot = `${notesBlock(ctx)}${footer(ctx, 'Checked')}`;
  const pointer = ctx.runUrl ? `the [job summary](${ctx.runUrl})` : 'the job summary';
  return fit(
    (b) => {
      const plan = renderMarkdown(safe, { maxChars: b - foot.length - intro.length - marker.length - 4, title: 'Plan', summaryPointer: pointer });
      return `${marker}\n${intro}\n\n${plan}\n${foot}`;
    },
    budget,
    (s) => s.length <= Math.min(budget, GITHUB_BODY_LIMIT),
  );
}
