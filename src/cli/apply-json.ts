/**
 * `navarch apply --json`: JSON Lines, one object per line as Terraform's `-json` gives them: first
 * `{"type": "plan", "plan": ...}` (the plan document), then one `action_*` object per progress event,
 * then `{"type": "result", ...}`. An error ends the stream with `{"error": ...}` (see main.ts).
 */
import type { ApplyEvent, ApplyResult } from '../apply/index.js';
import type { PublishOutcome } from '../git/index.js';
import type { Action, Instance, Plan } from '../model/index.js';
import { planToDocument } from '../plan/index.js';

/** What every event line says about its action. */
function actionRef(a: Action): Record<string, string> {
  return { id: a.id, kind: a.kind, pool: a.pool, node: a.node };
}

function instanceJson(i: Instance): Record<string, unknown> {
  return {
    id: i.id,
    provider: i.provider,
    region: i.region,
    zone: i.zone ?? null,
    instance_type: i.instanceType,
    spot: i.spot,
    state: i.state,
    launched_at: i.launchedAt ?? null,
    private_ip: i.privateIp ?? null,
    public_ip: i.publicIp ?? null,
  };
}

const line = (value: unknown): string => `${JSON.stringify(value)}\n`;

export function planLine(plan: Plan): string {
  return line({ type: 'plan', plan: planToDocument(plan) });
}

/** One progress event, stamped with the time it was printed. */
export function eventLine(e: ApplyEvent, now: number): string {
  const head = { type: `action_${e.type}`, time: new Date(now).toISOString(), action: actionRef(e.action) };
  switch (e.type) {
    case 'start':
      return line(head);
    case 'step':
      return line({ ...head, message: e.message });
    case 'retry':
      return line({ ...head, error: e.error, attempt: e.attempt, wait_ms: e.waitMs });
    case 'failover':
      return line({ ...head, from: e.from, to: e.to, error: e.error });
    case 'done':
      return line({ ...head, instance: e.instance ? instanceJson(e.instance) : null, duration_ms: e.durationMs });
    case 'failed':
      return line({ ...head, error: e.error, duration_ms: e.durationMs });
    case 'skipped':
      return line({ ...head, reason: e.reason });
  }
}

/** The last line: whether everything was applied, each action's outcome, and what became of the status. */
export function resultLine(result: ApplyResult | undefined, published: PublishOutcome | undefined): string {
  const results = result?.results ?? [];
  const ok = (kind: Action['kind']): number => results.filter((r) => r.result === 'ok' && r.action.kind === kind).length;
  return line({
    type: 'result',
    ok: result?.ok ?? false,
    summary: {
      added: ok('create') + ok('replace'),
      changed: ok('update'),
      destroyed: ok('destroy') + ok('replace'),
      failed: results.filter((r) => r.result === 'failed').length,
      skipped: results.filter((r) => r.result === 'skipped').length,
    },
    results: results.map((r) => ({ action: actionRef(r.action), result: r.result, message: r.message, instance: r.instance ? instanceJson(r.instance) : null })),
    unknown: (result?.unknown ?? []).map((u) => ({ pool: u.pool, providers: u.providers, reason: u.reason })),
    stopped_by: result?.stoppedBy ? { action: actionRef(result.stoppedBy.action), error: result.stoppedBy.error } : null,
    status: published
      ? { changed: published.changed, commit: published.commit ?? null, pushed: published.pushed, attempts: published.attempts, note: published.note ?? null }
      : null,
  });
}
