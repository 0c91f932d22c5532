/** The status commit's message: what changed, in which pools, at which desired commit, `[skip ci]`. */
import type { ApplyResult } from '../apply/index.js';
import type { DesiredFleet, Plan, StatusEvent } from '../model/index.js';

const VERBS = [
  ['create', 'added'],
  ['replace', 'replaced'],
  ['update', 'updated'],
  ['destroy', 'destroyed'],
] as const;

const STARTED = [
  ['replace', 'replacement'],
  ['destroy', 'removal'],
] as const;

/**
 * E.g. `navarch: 2 added, 1 destroyed in pool train (desired 1a2b3c4) [skip ci]`, with one body
 * line per action and the plan's warnings (orphans, unobserved providers) below. `steps`: what the
 * pass finished before its plan (replacements that ended), counted with the actions.
 */
export function statusCommitMessage(desired: DesiredFleet, plan: Plan, result: ApplyResult | undefined, steps: ReadonlyArray<Omit<StatusEvent, 'time'>> = []): string {
  const results = result?.results ?? [];
  const ok = [...results.filter((r) => r.result === 'ok').map((r) => r.action.kind), ...steps.filter((e) => e.result === 'ok').map((e) => e.action)];
  const parts: string[] = [];
  for (const [kind, word] of VERBS) {
    const n = ok.filter((k) => k === kind).length;
    if (n > 0) parts.push(`${n} ${word}`);
  }
  for (const [kind, word] of STARTED) {
    const n = results.filter((r) => r.result === 'started' && r.action.kind === kind).length;
    if (n > 0) parts.push(`${n} ${word}${n === 1 ? '' : 's'} started`);
  }
  const failed = results.filter((r) => r.result === 'failed').length + steps.filter((e) => e.result === 'failed').length;
  const skipped = results.filter((r) => r.result === 'skipped').length;
  if (failed > 0) parts.push(`${failed} failed`);
  if (skipped > 0) parts.push(`${skipped} skipped`);
  const pools = [...new Set([...results.map((r) => r.action.pool), ...steps.map((e) => e.pool)].filter(Boolean))].sort();
  const where = pools.length === 0 ? '' : pools.length === 1 ? ` in pool ${pools[0]}` : ` in pools ${pools.join(', ')}`;
  const what = parts.length > 0 ? `${parts.join(', ')}${where}` : 'status refreshed';
  const at = desired.commit ? ` (desired ${desired.commit.slice(0, 7)})` : '';
  const body = [
    ...steps.map((e) => `- ${e.action} ${e.node}: ${e.result} (${e.message})`),
    ...results.map((r) => `- ${r.action.id}: ${r.result}${r.result === 'ok' ? '' : ` (${r.message})`}`),
    ...plan.warnings.map((w) => `- warning: ${w}`),
  ];
  return `navarch: ${what}${at} [skip ci]\n${body.length > 0 ? `\n${body.join('\n')}\n` : ''}`;
}
