/**
 * The plan as markdown, for the sticky pull-request comment and the job summary: the summary line,
 * the cost change, a per-pool table, warnings, guard violations, then the full text plan in a
 * ```diff block (symbols moved to the first column so GitHub colours them).
 *
 * GitHub rejects comment bodies over 65,536 characters, so the result never exceeds `maxChars`:
 * each section gets a share of the budget, the diff block takes what is left and is cut at a line
 * boundary, with its fences and `<details>` closed and a line saying what was left out.
 */
import { flagsNeeded, type Plan } from '../model/index.js';
import { changedPools, costLine, formatMoney, guardText, layoutLine, planLines, summaryLine } from './render-text.js';
import type { PlanLine } from './render-text.js';

/** Options of `renderMarkdown`. */
export interface MarkdownOptions {
  /** Hard limit on the result's length in characters (default 60,000; GitHub's limit is 65,536). */
  maxChars?: number;
  /** Heading of the comment (markdown allowed); defaults to `navarch plan for fleet \`<fleet>\``. */
  title?: string;
  /** Where the full plan can be read when this one is cut, e.g. a link to the job summary. */
  summaryPointer?: string;
  /** A hidden line put first, by which the comment is found and updated, e.g. `<!-- navarch-plan ... -->`. */
  marker?: string;
}

const DEFAULT_MAX_CHARS = 60_000;
/** Longer listings are collapsed in `<details>`. */
const COLLAPSE_AFTER_LINES = 40;
/** A single line longer than this (a runaway reason message) is shortened rather than crowd out the rest. */
const MAX_LINE_CHARS = 500;
/** Share of the budget each of the table, the warnings and the guard violations may take at most. */
const SECTION_SHARE = 0.2;

/** Renders a plan as GitHub-flavoured markdown of at most `maxChars` characters. */
export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const sectionBudget = Math.floor(maxChars * SECTION_SHARE);
  const blocks: string[] = [];
  if (options.marker) blocks.push(options.marker);
  blocks.push(`### ${options.title ?? `navarch plan for fleet \`${plan.fleet}\``}`);
  blocks.push(headline(plan));
  blocks.push(escapeMd(costLine(plan)));
  const head = blocks.join('\n\n');

  const sections = [unknownBlock(plan, sectionBudget), poolTable(plan, sectionBudget), warningsBlock(plan, sectionBudget), guardsBlock(plan, sectionBudget)].filter(
    (s): s is string => s !== undefined,
  );
  const fixed = [head, ...sections].join('\n\n');
  const showListing = plan.actions.length > 0 || changedPools(plan).length > 0;
  const listing = showListing ? diffListing(plan, maxChars - fixed.length - 3, options.summaryPointer, maxChars) : undefined;
  // Blocks are joined by a blank line and the body ends with a newline: 3 characters around the listing.
  const out = `${listing ? `${fixed}\n\n${listing}` : fixed}\n`;
  if (out.length <= maxChars) return out;
  // Only a budget too small for the head itself gets here; the head alone is better than nothing.
  const bare = `${head}\n`;
  return bare.length <= maxChars ? bare : bare.slice(0, maxChars);
}

/** Escapes text for markdown prose and table cells (`$` too: GitHub reads `$…$` as math). */
export function escapeMd(text: string): string {
  return text.replace(/[\\`*_[\]<>|$~]/g, '\\$&');
}

/** A line of the text plan as a ```diff line: `+`, `-`, `!` (for `~`) or `-/+` in the first column. */
export function diffLine(line: PlanLine): string {
  const text =
    line.symbol === '' || line.symbol === '#'
      ? layoutLine(line)
      : `${(line.symbol === '~' ? '!' : line.symbol).padEnd(3)}${'    '.repeat(line.depth)} ${line.text}`;
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS - 1)}…` : text;
}

function poolTable(plan: Plan, budget: number): string | undefined {
  const pools = changedPools(plan);
  if (!pools.length) return undefined;
  const header = ['| Pool | Nodes | + | ~ | - | \\$/hr before → after |', '| :--- | ---: | ---: | ---: | ---: | ---: |'];
  const rows = pools.map(({ name, pool, actions }) => {
    const n = (...kinds: string[]) => actions.filter((a) => kinds.includes(a.kind)).length;
    const flags = pool ? [pool.change === 'create' ? 'new' : '', pool.change === 'delete' ? 'removed' : '', pool.protect ? 'protected' : ''] : ['not declared'];
    const flagText = flags.some(Boolean) ? ` (${flags.filter(Boolean).join(', ')})` : '';
    const nodes = !pool ? '?' : pool.nodesBefore === pool.nodesAfter ? `${pool.nodesAfter}` : `${pool.nodesBefore} → ${pool.nodesAfter}`;
    const cost = !pool
      ? '?'
      : pool.costBefore === pool.costAfter
        ? escapeMd(formatMoney(pool.costAfter))
        : `${escapeMd(formatMoney(pool.costBefore))} → ${escapeMd(formatMoney(pool.costAfter))}`;
    return `| ${poolName(name)}${flagText} | ${nodes} | ${n('create', 'replace')} | ${n('update')} | ${n('destroy', 'replace')} | ${cost} |`;
  });
  const kept = fitLines(rows, budget - header.join('\n').length - 1, (more) => `| … ${group(more)} more pools | | | | | |`);
  return [...header, ...kept].join('\n');
}

/** The summary line; a plan that left pools unknown is never "no changes". */
function headline(plan: Plan): string {
  if (plan.actions.length) return `**${summaryLine(plan)}**`;
  const n = plan.unknown.length;
  if (n) return `**Not fully planned:** ${group(n)} ${n === 1 ? 'pool is' : 'pools are'} unknown, and nothing else changes.`;
  return '**No changes.** Your fleet matches the configuration.';
}

function unknownBlock(plan: Plan, budget: number): string | undefined {
  if (!plan.unknown.length) return undefined;
  const head = ['> [!CAUTION]', '> **Unknown pools**: a provider they depend on could not be listed, so they are left exactly as they are.', '>'];
  const items = plan.unknown.map((u) => `> - pool ${poolName(u.pool)}: ${escapeMd(u.reason)}`);
  const kept = fitLines(items, budget - head.join('\n').length - 1, (more) => `> - … and ${group(more)} more unknown pools`);
  return [...head, ...kept].join('\n');
}

function warningsBlock(plan: Plan, budget: number): string | undefined {
  if (!plan.warnings.length) return undefined;
  const head = ['> [!WARNING]', '> **Warnings**', '>'];
  const items = plan.warnings.map((w) => `> - ${escapeMd(w)}`);
  const kept = fitLines(items, budget - head.join('\n').length - 1, (more) => `> - … and ${group(more)} more warnings`);
  return [...head, ...kept].join('\n');
}

function guardsBlock(plan: Plan, budget: number): string | undefined {
  if (!plan.guards.length) return undefined;
  const flags = flagsNeeded(plan);
  const inputs = flags.map((f) => `\`${f.slice(2)}: true\``).join(' and ');
  const head = ['> [!CAUTION]', `> **This plan needs ${flags.map((f) => `\`${f}\``).join(' and ')}** (${inputs} in the action): apply refuses it otherwise.`, '>'];
  const items = plan.guards.map((g) => `> - ${escapeMd(guardText(g))}`);
  const kept = fitLines(items, budget - head.join('\n').length - 1, (more) => `> - … and ${group(more)} more pools over the limit`);
  return [...head, ...kept].join('\n');
}

/** The text plan in a ```diff block, collapsed when long, cut to `budget` characters when too long. */
function diffListing(plan: Plan, budget: number, pointer: string | undefined, maxChars: number): string | undefined {
  const lines = planLines(plan);
  const diff = lines.map(diffLine);
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(diff) + 1));
  const summary = `<summary>Full plan (${group(plan.actions.length)} ${plan.actions.length === 1 ? 'action' : 'actions'})</summary>`;
  const wrap = (body: string[], collapse: boolean): string => {
    const code = [`${fence}diff`, ...body, fence].join('\n');
    return collapse ? `<details>${summary}\n\n${code}\n\n</details>` : code;
  };
  const whole = wrap(diff, diff.length > COLLAPSE_AFTER_LINES);
  if (whole.length <= budget) return whole;

  const total = plan.actions.length;
  const where = pointer ? `The full plan is in ${pointer}.` : 'Run `navarch plan` to see the full plan.';
  const note = (omitted: number) =>
    `**${omitted ? `${group(omitted)} of ${group(total)} actions not shown` : 'The end of the plan is not shown'}**: this comment is limited to ${group(maxChars)} characters. ${where}`;
  // The note's length depends on the count it reports; reserve room for the longest it can be.
  const reserve = note(total).length + 2;
  const room = budget - wrap([], true).length - reserve;
  if (room <= 0) return budget >= note(total).length ? note(total) : undefined;
  const kept = fitLines(diff, room, () => '');
  if (kept.length === diff.length) return wrap(diff, true);
  const shown = kept.length && kept[kept.length - 1] === '' ? kept.slice(0, -1) : kept;
  const shownActions = lines.slice(0, shown.length).filter((l) => l.action).length;
  return `${wrap(shown, true)}\n\n${note(total - shownActions)}`;
}

/**
 * The longest prefix of `lines` whose joined length fits `budget`; when some are left out, the last
 * kept line is `more(leftOut)` and the whole still fits.
 */
function fitLines(lines: string[], budget: number, more: (leftOut: number) => string): string[] {
  if (lines.reduce((n, l) => n + l.length + 1, 0) <= budget + 1) return lines;
  const reserve = more(lines.length).length + 1;
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget - reserve) break;
    kept.push(line);
    used += line.length + 1;
  }
  const tail = more(lines.length - kept.length);
  return tail ? [...kept, tail] : kept;
}

function longestBacktickRun(lines: string[]): number {
  let longest = 0;
  for (const line of lines) for (const run of line.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

function poolName(name: string): string {
  return /^[\w.-]+$/.test(name) ? `\`${name}\`` : escapeMd(name);
}

/** `4321` → `4,321`. */
function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
