/** The apply job's summary: the plan applied, then what each action did. */
import type { ApplyResult } from '../apply/index.js';
import { planSummaryBody, type PlanContext } from '../github/index.js';
import type { Plan } from '../model/index.js';

/** The plan as the summary shows it, titled as an apply. */
export function applySummaryBody(plan: Plan, ctx: PlanContext): string {
  return planSummaryBody(plan, ctx, 'apply');
}

/** `Apply complete! Resources: …` or what failed, as markdown. */
export function applyResultMarkdown(result: ApplyResult): string {
  const count = (kind: string): number => result.results.filter((r) => r.result === 'ok' && r.action.kind === kind).length;
  const added = count('create') + count('replace');
  const destroyed = count('destroy') + count('replace');
  const line = `Resources: ${added} added, ${count('update')} changed, ${destroyed} destroyed.`;
  if (result.ok) return `**Apply complete!** ${line}`;
  const failed = result.results.filter((r) => r.result !== 'ok');
  const items = failed.slice(0, 50).map((r) => `- \`${r.action.id}\`: ${r.result}${r.message ? ` (${r.message.replace(/[`|<>]/g, '')})` : ''}`);
  const more = failed.length > 50 ? [`- … and ${failed.length - 50} more`] : [];
  const unknown = result.unknown.map((u) => `- pool \`${u.pool}\`: not planned, its records left as they were (${u.reason.replace(/[`|<>]/g, '')})`);
  const stopped = result.stoppedBy ? [`Stopped after \`${result.stoppedBy.action.id}\` failed: ${result.stoppedBy.error.replace(/[`|<>]/g, '')}; no new action was started.`, ''] : [];
  return [`**Apply incomplete:** ${failed.length} of ${result.results.length} actions did not complete. ${line}`, '', ...stopped, ...items, ...more, ...unknown].join('\n');
}
