/**
 * The ordered, bounded queue of health reports waiting for the control plane. Reports leave from
 * the head only, in the order they were made, so a replay after an outage arrives in order.
 *
 * When the queue is full, reports behind the head are merged into one summary: every urgent event
 * (fatal XIDs, preemption notices, failed reads…) is kept in order, and of the rest only the latest
 * per GPU and kind, with a check saying how much was summarised. The head is never merged: it may
 * already have reached the server (a reply lost on the way back), and its id must stay its own.
 */
import type { CheckResult, HealthEvent, HealthReport } from '../../src/model/index.js';
import { eventKey, isUrgent } from '../health/index.js';

export interface OutboxEntry {
  report: HealthReport;
  /** For a summary: how many reports and events it stands for, beyond those it still carries. */
  merged?: { reports: number; droppedEvents: number; from: string; to: string; byKind: Record<string, number> };
}

export interface OutboxOptions {
  /** Most reports held; at least 3 (the head, a summary, the newest). */
  capacity: number;
  /** Most events one summary keeps (urgent ones first); older ones beyond it are counted, not kept. */
  maxSummaryEvents?: number;
  /** Called after every change (to persist the queue). */
  onChange?: (entries: readonly OutboxEntry[]) => void;
}

export const SUMMARY_CHECK = 'agent-buffer';

/** The check saying a report was cut to fit the control plane's body limit. */
export const TRIMMED_CHECK = 'agent-report-trimmed';

/**
 * Most events one summary keeps. An event is at most a few hundred bytes of JSON, so 400 keep a
 * summary well under the control plane's default body limit (256 KiB).
 */
export const DEFAULT_SUMMARY_EVENTS = 400;

export class Outbox {
  private entries: OutboxEntry[];
  private readonly capacity: number;
  private readonly maxSummaryEvents: number;

  constructor(
    private readonly opts: OutboxOptions,
    initial: OutboxEntry[] = [],
  ) {
    this.capacity = Math.max(3, Math.floor(opts.capacity));
    this.maxSummaryEvents = opts.maxSummaryEvents ?? DEFAULT_SUMMARY_EVENTS;
    this.entries = [...initial];
    this.compact();
  }

  get size(): number {
    return this.entries.length;
  }

  /** The next report to send. */
  peek(): HealthReport | undefined {
    return this.entries[0]?.report;
  }

  all(): readonly OutboxEntry[] {
    return this.entries;
  }

  push(report: HealthReport): void {
    this.entries.push({ report });
    this.compact();
    this.opts.onChange?.(this.entries);
  }

  /**
   * Halves the head's events after the control plane refused it as too large (413): urgent events
   * are kept before any other, the order of what is kept does not change, and a check says how many
   * were cut. Returns false when the head has no event left to cut.
   */
  shrinkHead(id: string): boolean {
    const entry = this.entries[0];
    if (!entry || entry.report.id !== id || entry.report.events.length === 0) return false;
    const events = entry.report.events;
    const keep = Math.floor(events.length / 2);
    const urgent = events.filter(isUrgent);
    // Urgent ones first (the earliest, if even they are too many), then the latest of the rest.
    const chosen = new Set<HealthEvent>(urgent.slice(0, keep));
    const others = events.filter((e) => !isUrgent(e));
    for (const e of others.slice(Math.max(0, others.length - (keep - chosen.size)))) if (chosen.size < keep) chosen.add(e);
    const kept = events.filter((e) => chosen.has(e));
    const cut = events.length - kept.length;
    const before = entry.report.checks.find((c) => c.name === TRIMMED_CHECK);
    const total = cut + Number(/^(\d+)/.exec(before?.message ?? '')?.[1] ?? 0);
    const check: CheckResult = {
      name: TRIMMED_CHECK,
      status: 'warn',
      message: `${total} events were cut from this report to fit the control plane's body limit; urgent events were kept first`,
    };
    this.entries[0] = { ...entry, report: { ...entry.report, events: kept, checks: [...entry.report.checks.filter((c) => c !== before), check] } };
    this.opts.onChange?.(this.entries);
    return true;
  }

  /** Removes the head once the server has it. */
  shift(id: string): void {
    if (this.entries[0]?.report.id !== id) return;
    this.entries.shift();
    this.opts.onChange?.(this.entries);
  }

  /** Merges everything between the head and the newest report once the queue is over capacity. */
  private compact(): void {
    if (this.entries.length <= this.capacity) return;
    // Keep the head and the newest; fold the rest into one summary, leaving room to grow again.
    const head = this.entries[0] as OutboxEntry;
    const newest = this.entries[this.entries.length - 1] as OutboxEntry;
    const middle = this.entries.slice(1, -1);
    this.entries = [head, summarise(middle, this.maxSummaryEvents), newest];
  }
}

/** One report standing for `parts`, in their place: the first one's id, seq and time. */
export function summarise(parts: OutboxEntry[], maxEvents: number): OutboxEntry {
  const first = parts[0] as OutboxEntry;
  const last = parts[parts.length - 1] as OutboxEntry;
  const prior = parts.map((p) => p.merged).filter((m) => m !== undefined);
  const byKind: Record<string, number> = {};
  for (const m of prior) for (const [k, n] of Object.entries(m.byKind)) byKind[k] = (byKind[k] ?? 0) + n;
  const reports = parts.length + prior.reduce((n, m) => n + m.reports - 1, 0);
  let dropped = prior.reduce((n, m) => n + m.droppedEvents, 0);

  // Urgent events all stay; of the others, the last per key, at the place of that last occurrence.
  const all = parts.flatMap((p) => p.report.events);
  const lastOf = new Map<string, number>();
  all.forEach((e, i) => {
    if (!isUrgent(e)) lastOf.set(eventKey(e), i);
  });
  let kept: HealthEvent[] = [];
  all.forEach((e, i) => {
    if (isUrgent(e) || lastOf.get(eventKey(e)) === i) kept.push(e);
    else {
      dropped++;
      byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
    }
  });
  if (kept.length > maxEvents) {
    // An event storm: keep the first and the latest, count the middle.
    const half = Math.floor(maxEvents / 2);
    const cut = kept.slice(half, kept.length - (maxEvents - half));
    for (const e of cut) byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
    dropped += cut.length;
    kept = [...kept.slice(0, half), ...kept.slice(kept.length - (maxEvents - half))];
  }
  const from = prior[0]?.from ?? first.report.time;
  const to = last.report.time;
  const kinds = Object.entries(byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const summary: CheckResult = {
    name: SUMMARY_CHECK,
    status: 'warn',
    message:
      `${reports} reports from ${from} to ${to} were merged while the control plane was unreachable; ` +
      `every urgent event is kept, and the latest of each other kind` +
      (dropped > 0 ? `; ${dropped} earlier events were dropped (${kinds})` : ''),
  };
  return {
    report: {
      id: first.report.id,
      seq: first.report.seq,
      time: first.report.time,
      checks: [...last.report.checks.filter((c) => c.name !== SUMMARY_CHECK), summary],
      events: kept,
    },
    merged: { reports, droppedEvents: dropped, from, to, byKind },
  };
}
