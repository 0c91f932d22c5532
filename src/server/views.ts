/** The JSON the admin API answers with: records made readable (ISO times, judged health). */
import type { NodeVerdict } from '../health/index.js';
import { lastContact, type NodeRecord, type StoredCommand, type StoredEvent, type StoredReport } from './store/index.js';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export interface NodeSummary {
  id: string;
  pool: string | null;
  provider: string;
  instance_id: string;
  health: NodeVerdict['health'];
  health_reason: string | null;
  cordoned: boolean;
  gpus: number;
  agent_version: string;
  registered_at: string | null;
  last_seen_at: string | null;
}

export function nodeSummary(r: NodeRecord, v: NodeVerdict): NodeSummary {
  return {
    id: r.id,
    pool: r.pool ?? null,
    provider: r.provider,
    instance_id: r.instanceId,
    health: v.health,
    health_reason: v.reason ?? null,
    cordoned: r.cordoned,
    gpus: r.registration.gpus.length,
    agent_version: r.registration.host.agentVersion,
    registered_at: iso(r.registeredAt),
    last_seen_at: iso(lastContact(r)),
  };
}

/** What the node detail shows besides the record: its recent events, reports and commands. */
export interface NodeHistory {
  events: StoredEvent[];
  reports: StoredReport[];
  commands: StoredCommand[];
}

/** One node in full: the summary, what it registered, its latest readings and its recent history. */
export function nodeDetail(r: NodeRecord, v: NodeVerdict, history: NodeHistory): Record<string, unknown> {
  const { events, reports, commands } = history;
  return {
    ...nodeSummary(r, v),
    health_since: iso(v.since),
    cordon_reason: r.cordonReason ?? null,
    drain_requested_at: iso(r.drainRequestedAt),
    boot_id: r.bootId ?? null,
    registration: r.registration,
    last_heartbeat_at: iso(r.lastHeartbeatAt),
    heartbeat: r.heartbeat ?? null,
    last_report_at: iso(r.lastReportAt),
    checks: r.checks,
    health_state: r.health,
    events: events.map((e) => ({ report_id: e.reportId, report_seq: e.reportSeq, index: e.index, received_at: iso(e.receivedAt), ...e.event })),
    // Oldest first, as received: a gap or a late burst (a replay after an outage) shows here.
    reports: reports.map((p) => ({ id: p.reportId, seq: p.seq ?? null, time: p.time ?? null, received_at: iso(p.receivedAt), events: p.events, checks: p.checks })),
    commands: commands.map((c) => ({
      id: c.id,
      kind: c.kind,
      issued_at: c.issuedAt,
      reason: c.reason ?? null,
      params: c.params ?? null,
      ack: c.ack ?? null,
    })),
  };
}
