/**
 * The control plane's record of nodes, heartbeats, health events and commands. Embedded by default
 * (a SQLite file); the interface is asynchronous so a shared database can stand behind it later.
 * Every write is one transaction: it happens entirely or not at all.
 */
import type { BreakerState, FailureRecord, NodeHealthState, PoolBackoff, Retention } from '../../health/index.js';
import type { Eviction, StoreUsage } from './budget.js';
import type { CheckResult, CommandAck, CommandKind, HealthEvent, HealthReport, HeartbeatRequest, NodeCommand, RegisterRequest } from '../../model/index.js';

/** A node as its agent registered it, with what the control plane learnt since. Times are server ms. */
export interface NodeRecord {
  /** The navarch node name (`train-3`). */
  id: string;
  pool: string | undefined;
  provider: string;
  instanceId: string;
  bootId: string | undefined;
  /** Boots registered so far; orders events across reboots (report sequence numbers restart). */
  epoch: number;
  registeredAt: number;
  registration: RegisterRequest;
  lastHeartbeatAt: number | undefined;
  heartbeat: HeartbeatRequest | undefined;
  lastReportAt: number | undefined;
  /** The latest health report's check results. */
  checks: CheckResult[];
  health: NodeHealthState;
  cordoned: boolean;
  cordonReason: string | undefined;
  drainRequestedAt: number | undefined;
}

/** The last time the node was heard from, by any route. */
export function lastContact(r: NodeRecord): number {
  return Math.max(r.registeredAt, r.lastHeartbeatAt ?? 0, r.lastReportAt ?? 0);
}

export interface StoredEvent {
  nodeId: string;
  reportId: string;
  reportSeq: number;
  index: number;
  receivedAt: number;
  event: HealthEvent;
}

/** A health report as received: its identity, when it came, and what in it was not a pass. */
export interface StoredReport {
  nodeId: string;
  reportId: string;
  /** The agent's sequence number; undefined for reports stored before it was kept. */
  seq: number | undefined;
  /** When the agent made the report (its clock, ISO-8601). */
  time: string | undefined;
  receivedAt: number;
  /** Checks that warned or failed (passing ones are not kept per report: the node record has the latest). */
  checks: CheckResult[];
  events: number;
}

export interface StoredCommand extends NodeCommand {
  nodeId: string;
  ack: (CommandAck & { at: string }) | undefined;
}

/** What the fold of a report decides: the node's health after it, and what its records are worth keeping. */
export interface ReportVerdict {
  health: NodeHealthState;
  /**
   * How the store ranks the report's records when it must drop some (default `normal`): the
   * report's own (its id and checks) and each event's, in order.
   */
  retention?: { report: Retention; events: readonly Retention[] } | undefined;
}

/**
 * A lifecycle the control plane carries out over many passes (a replacement, later a job attempt):
 * one row per kind and id, its state in a column and the rest as JSON. Every write names the
 * version it read, so two writers (replicas sharing a store) can never both advance it.
 */
export interface LifecycleRow<B = unknown> {
  kind: string;
  id: string;
  pool: string;
  /** The step it is at (`waiting`, `done`, ...): what its kind's decision reads first. */
  state: string;
  body: B;
  /** Bumped by every write; 1 once created. */
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Set once it reached a final state: it no longer owns anything, and is kept a while for the record. */
  finishedAt: number | undefined;
}

/** What a write of a lifecycle gives: the row without the store's bookkeeping. */
export type LifecycleWrite<B = unknown> = Pick<LifecycleRow<B>, 'kind' | 'id' | 'pool' | 'state' | 'body'> & { finished: boolean };

export type ReportOutcome = 'stored' | 'replay' | 'unknown-node';
export type AckOutcome = 'acknowledged' | 'already-acknowledged' | 'not-found';

export interface Store {
  /**
   * Creates or refreshes a node's record. `fold` updates its health state in the same transaction
   * (`newBoot`: the boot id changed, or this is the first registration).
   */
  registerNode(id: string, req: RegisterRequest, now: number, fold: (state: NodeHealthState, newBoot: boolean) => NodeHealthState): Promise<NodeRecord>;
  /** Records the latest heartbeat; false when the node never registered (nothing is stored). */
  recordHeartbeat(id: string, hb: HeartbeatRequest, now: number): Promise<boolean>;
  /**
   * Stores a health report once: its events, its checks, and the health state `fold` computes from
   * the record as it was. A report id seen before is a replay and changes nothing. When its kind is
   * over budget, older records are dropped first in the same transaction (see `limit`).
   */
  recordReport(id: string, report: HealthReport, now: number, fold: (record: NodeRecord) => ReportVerdict): Promise<ReportOutcome>;
  /**
   * Bounds what the store keeps to `maxBytes` (`control_plane.store_max_bytes`): each kind of data
   * within its share, dropping its oldest records of the lowest retention first and never `keep`
   * ones. `onEvict` hears of every eviction once it is committed.
   */
  limit(maxBytes: number, onEvict?: (e: Eviction) => void): void;
  /** What the store holds of each kind of data against its budget, and the file's size. */
  usage(): Promise<StoreUsage>;
  /** Rewrites a node's health state (an operator cleared it). */
  updateHealth(id: string, fold: (record: NodeRecord) => NodeHealthState): Promise<NodeRecord | undefined>;
  setCordon(id: string, change: { cordoned: boolean; reason?: string | undefined; drainAt?: number | undefined }): Promise<NodeRecord | undefined>;
  /**
   * Queues a command; when the newest pending command is the same request (kind and parameters), it
   * is returned instead of queueing a repeat.
   */
  enqueueCommand(nodeId: string, cmd: { kind: CommandKind; reason?: string | undefined; params?: Record<string, unknown> | undefined }, now: number): Promise<{ command: StoredCommand; created: boolean }>;
  pendingCommands(nodeId: string): Promise<StoredCommand[]>;
  /** Commands of a node, newest first. */
  commands(nodeId: string, limit: number): Promise<StoredCommand[]>;
  ackCommand(nodeId: string, commandId: string, ack: CommandAck, now: number): Promise<AckOutcome>;
  getNode(id: string): Promise<NodeRecord | undefined>;
  listNodes(): Promise<NodeRecord[]>;
  /** A node's events, newest last, at most `limit` of the most recent. */
  events(nodeId: string, limit: number): Promise<StoredEvent[]>;
  /** A node's health reports in the order they were received, at most `limit` of the most recent. */
  reports(nodeId: string, limit: number): Promise<StoredReport[]>;
  /** Removes a node and everything about it (its instance is gone). */
  forgetNode(id: string): Promise<void>;
  /** Drops report ids received before `reportsBefore` and events received before `eventsBefore`. */
  prune(reportsBefore: number, eventsBefore: number): Promise<{ reports: number; events: number }>;
  breakers(): Promise<Record<string, BreakerState>>;
  setBreaker(pool: string, state: BreakerState): Promise<void>;
  /** Lifecycles, oldest first; `active`: only those not finished. */
  lifecycles(filter?: { kind?: string; active?: boolean }): Promise<LifecycleRow[]>;
  lifecycle(kind: string, id: string): Promise<LifecycleRow | undefined>;
  /**
   * Writes a lifecycle if its stored version is still `expected` (0: it must not exist yet).
   * Returns the row as stored, or undefined when another write got there first (nothing is changed).
   */
  saveLifecycle(write: LifecycleWrite, expected: number, now: number): Promise<LifecycleRow | undefined>;
  /** Drops lifecycles finished before `before`. */
  pruneLifecycles(before: number): Promise<number>;
  /** Adds to the failure log (a node's failure since the same time is kept once). */
  recordFailures(failures: readonly FailureRecord[]): Promise<void>;
  /** Failures since `since`, oldest first. */
  failures(since: number): Promise<FailureRecord[]>;
  /** Drops failures from before `before`. */
  pruneFailures(before: number): Promise<number>;
  /** Each pool's backoff after failed replacements. */
  backoffs(): Promise<Record<string, PoolBackoff>>;
  /** Sets (or with undefined, clears) a pool's backoff. */
  setBackoff(pool: string, backoff: PoolBackoff | undefined): Promise<void>;
  close(): Promise<void>;
}
