/** The status commit's message: what changed, in which pools, at which desired commit, `[skip ci]`. */
import type { ApplyResult } from '../apply/index.js';
import type { DesiredFleet, Plan } from '../model/index.js';

const VERBS = [
  ['create', 'added'],
  ['replace', 'replaced'],
  ['update', 'updated'],
  ['destroy', 'destroyed'],
] as const;

/**
 * E.g. `navarch: 2 added, 1 destroyed in pool train (desired 1a2b3c4) [skip ci]`, with one body
 * line per action and the plan's warnings (orphans, unobserved providers) below.
 */
export function statusCommitMessage(desired: DesiredFleet, plan: Plan, result: ApplyResult | undefined): string {
  const results = result?.results ?? [];
  const ok = results.filter((r) => r.result === 'ok');
  const parts: string[] = [];
  for (const [kind, word] of VERBS) {
    const n = ok.filter((r) => r.action.kind === kind).length;
    if (n > 0) parts.push(`${n} ${word}`);
  }
  const failed = results.filter((r) => r.result === 'failed').length;
  const skipped = results.filter((r) => r.result === 'skipped').length;
  if (failed > 0) parts.push(`${failed} failed`);
  if (skipped > 0) parts.push(`${skipped} skipped`);
  const pools = [...new Set(results.map((r) => r.action.pool).filter(Boolean))].sort();
  const where = pools.length === 0 ? '' : pools.length === 1 ? ` in pool ${pools[0]}` : ` in pools ${pools.join(', ')}`;
  const what = parts.length > 0 ? `${parts.join(', ')}${where}` : 'status refreshed';
  const at = desired.commit ? ` (desired ${desired.commit.slice(0, 7)})` : '';
  const body = [
    ...results.map((r) => `- ${r.action.id}: ${r.result}${r.result === 'ok' ? '' : ` (${r.message})`}`),
    ...plan.warnings.map((w) => `- warning: ${w}`),
  ];
  return `navarch: ${what}${at} [skip ci]\n${body.length > 0 ? `\n${body.join('\n')}\n` : ''}`;
}
