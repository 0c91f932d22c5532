/** Rows of the embedded store to records and back. JSON columns hold what SQL never queries. */
import type { NodeHealthState } from '../../health/index.js';
import type { CheckResult, CommandKind, HealthEvent, HeartbeatRequest, NodeCommand, RegisterRequest } from '../../model/index.js';
import type { LifecycleRow, NodeRecord, StoredCommand, StoredEvent, StoredReport } from './types.js';

export type Row = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);
const json = <T>(v: unknown): T | undefined => (typeof v === 'string' ? (JSON.parse(v) as T) : undefined);

export function nodeFromRow(r: Row): NodeRecord {
  return {
    id: text(r['id']) ?? '',
    pool: text(r['pool']),
    provider: text(r['provider']) ?? '',
    instanceId: text(r['instance_id']) ?? '',
    bootId: text(r['boot_id']),
    epoch: int(r['epoch']) ?? 0,
    registeredAt: int(r['registered_at']) ?? 0,
    registration: json<RegisterRequest>(r['registration']) as RegisterRequest,
    lastHeartbeatAt: int(r['last_heartbeat_at']),
    heartbeat: json<HeartbeatRequest>(r['heartbeat']),
    lastReportAt: int(r['last_report_at']),
    checks: json<CheckResult[]>(r['checks']) ?? [],
    health: json<NodeHealthState>(r['health']) as NodeHealthState,
    cordoned: int(r['cordoned']) === 1,
    cordonReason: text(r['cordon_reason']),
    drainRequestedAt: int(r['drain_requested_at']),
  };
}

export function eventFromRow(r: Row): StoredEvent {
  return {
    nodeId: text(r['node_id']) ?? '',
    reportId: text(r['report_id']) ?? '',
    reportSeq: int(r['report_seq']) ?? 0,
    index: int(r['idx']) ?? 0,
    receivedAt: int(r['received_at']) ?? 0,
    event: json<HealthEvent>(r['data']) as HealthEvent,
  };
}

export function reportFromRow(r: Row): StoredReport {
  return {
    nodeId: text(r['node_id']) ?? '',
    reportId: text(r['id']) ?? '',
    seq: int(r['seq']),
    time: text(r['time']),
    receivedAt: int(r['received_at']) ?? 0,
    checks: json<CheckResult[]>(r['checks']) ?? [],
    events: int(r['events']) ?? 0,
  };
}

export function commandFromRow(r: Row): StoredCommand {
  const out: StoredCommand = {
    id: text(r['id']) ?? '',
    nodeId: text(r['node_id']) ?? '',
    kind: text(r['kind']) as CommandKind,
    issuedAt: new Date(int(r['issued_at']) ?? 0).toISOString(),
    ack: undefined,
  };
  const reason = text(r['reason']);
  if (reason !== undefined) out.reason = reason;
  const params = json<Record<string, unknown>>(r['params']);
  if (params !== undefined) out.params = params;
  const ackedAt = int(r['acked_at']);
  if (ackedAt !== undefined) {
    const result = text(r['result']) as 'ok' | 'failed' | 'rejected';
    const message = text(r['message']);
    const details = json<Record<string, unknown>>(r['details']);
    out.ack = { result, at: new Date(ackedAt).toISOString(), ...(message !== undefined ? { message } : {}), ...(details !== undefined ? { details } : {}) };
  }
  return out;
}

/** What the agent sees of a command: the wire shape, without store bookkeeping. */
export function wireCommand(c: StoredCommand): NodeCommand {
  const { nodeId: _node, ack: _ack, ...rest } = c;
  return rest;
}

export function lifecycleFromRow(r: Row): LifecycleRow {
  return {
    kind: text(r['kind']) ?? '',
    id: text(r['id']) ?? '',
    pool: text(r['pool']) ?? '',
    state: text(r['state']) ?? '',
    body: json<unknown>(r['body']),
    version: int(r['version']) ?? 0,
    createdAt: int(r['created_at']) ?? 0,
    updatedAt: int(r['updated_at']) ?? 0,
    finishedAt: int(r['finished_at']),
  };
}
