/**
 * What the control plane does with what agents and operators tell it: registrations, heartbeats,
 * health reports, commands, cordons. Routes stay thin; the reconcile loop uses the same methods.
 */
import { EventEmitter } from 'node:events';
import {
  classifyCheck,
  classifyEvent,
  classifySensors,
  classifyTemperatures,
  clearVerdicts,
  foldRegistration,
  foldReport,
  judgeNode,
  retentionOf,
  type Finding,
  type HealthPolicy,
  type NodeVerdict,
  type Retention,
} from '../health/index.js';
import type { Logger } from '../log/index.js';
import type { Clock, CommandAck, CommandKind, HealthReport, HealthReportResponse, HeartbeatRequest, HeartbeatResponse, RegisterRequest, RegisterResponse } from '../model/index.js';
import type { Metrics, NodeView } from './metrics.js';
import type { NotifiedNode, Notifier } from './notifier/index.js';
import { lastContact, wireCommand, type AckOutcome, type NodeRecord, type Store, type StoredCommand } from './store/index.js';

const RETENTION_ORDER: readonly Retention[] = ['low', 'normal', 'high', 'keep'];
const higher = (a: Retention, b: Retention): Retention => (RETENTION_ORDER.indexOf(a) >= RETENTION_ORDER.indexOf(b) ? a : b);

export interface NodeServiceDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** The health policy of a pool, from the latest configuration (defaults for a pool it does not know). */
  policyFor(pool: string | undefined): HealthPolicy;
  notifier(): Notifier;
  intervals(): { heartbeatIntervalMs: number; healthIntervalMs: number; commandPollIntervalMs: number };
  /** When the control plane started listening: silence from before then is not the nodes' fault. */
  startedAt: number;
  /** Told of every node that registers (the auth layer learns its token). */
  known?(nodeId: string): void;
  /** A node's pool as the fleet knows it, for a node whose agent did not say (the status file's). */
  poolOf?(nodeId: string): string | undefined;
}

/**
 * Events: `changed` (node id) after any change to a node; `reported` (node id) when its agent said
 * something new (registered, reported health, acknowledged a command: not a heartbeat);
 * `unhealthy` (node id, reason) when a node turns unhealthy.
 */
export class NodeService extends EventEmitter {
  constructor(private readonly deps: NodeServiceDeps) {
    super();
    this.setMaxListeners(0);
  }

  /**
   * Findings of one health report, judged with what the node registered and its last heartbeat,
   * and what its records are worth keeping (the retention of what was found in each).
   */
  static judgeReport(record: NodeRecord, report: HealthReport, policy: HealthPolicy): { findings: Finding[]; retention: { report: Retention; events: Retention[] } } {
    const gpus = record.registration.gpus;
    const out: Finding[] = [];
    let kept: Retention = 'low';
    for (const c of report.checks) {
      const f = classifyCheck(c);
      if (f) out.push(f);
      kept = higher(kept, retentionOf(f));
    }
    const events = report.events.map((e) => {
      const f = classifyEvent(e, gpus, policy);
      if (f) out.push(f);
      return retentionOf(f);
    });
    if (record.heartbeat) {
      const heat = classifyTemperatures(record.heartbeat.gpus, gpus, policy);
      if (heat) out.push(heat);
      out.push(...classifySensors(record.heartbeat.gpus, gpus));
    }
    return { findings: out, retention: { report: kept, events } };
  }

  /** The node's pool: what its agent registered, else what the fleet knows. */
  poolOf(record: NodeRecord): string | undefined {
    return record.pool ?? this.deps.poolOf?.(record.id);
  }

  verdict(record: NodeRecord, now = this.deps.clock.now()): NodeVerdict {
    const input = { registered: { registeredAt: record.registeredAt, lastContactAt: lastContact(record), state: record.health }, launchedAt: undefined, watchingSince: this.deps.startedAt };
    return judgeNode(input, this.deps.policyFor(this.poolOf(record)), now);
  }

  async register(id: string, req: RegisterRequest): Promise<RegisterResponse> {
    const now = this.deps.clock.now();
    const record = await this.deps.store.registerNode(id, req, now, (state, newBoot) => foldRegistration(state, req.bootChecks, newBoot, now));
    this.deps.logger.info({ node: id, pool: req.pool, instance: req.instanceId, boot: req.host.bootId }, 'node registered');
    this.changed(record, undefined);
    this.emit('reported', id);
    const i = this.deps.intervals();
    return {
      nodeId: id,
      heartbeatIntervalSec: i.heartbeatIntervalMs / 1000,
      healthIntervalSec: i.healthIntervalMs / 1000,
      commandPollIntervalSec: i.commandPollIntervalMs / 1000,
    };
  }

  /** Undefined when the node never registered (the agent should register again). */
  async heartbeat(id: string, hb: HeartbeatRequest): Promise<HeartbeatResponse | undefined> {
    if (!(await this.deps.store.recordHeartbeat(id, hb, this.deps.clock.now()))) return undefined;
    this.deps.metrics.heartbeats.inc();
    this.emit('changed', id);
    return { commands: (await this.deps.store.pendingCommands(id)).map(wireCommand) };
  }

  /** Undefined when the node never registered. */
  async report(id: string, report: HealthReport): Promise<HealthReportResponse | undefined> {
    const now = this.deps.clock.now();
    let findings: Finding[] = [];
    let pool: string | undefined;
    let before: NodeVerdict | undefined;
    let after: NodeRecord | undefined;
    const outcome = await this.deps.store.recordReport(id, report, now, (record) => {
      pool = this.poolOf(record);
      const policy = this.deps.policyFor(pool);
      before = this.verdict(record, now);
      const judged = NodeService.judgeReport(record, report, policy);
      findings = judged.findings;
      const health = foldReport(record.health, findings, policy, now);
      after = { ...record, health, lastReportAt: now, checks: report.checks };
      return { health, retention: judged.retention };
    });
    if (outcome === 'unknown-node') return undefined;
    this.deps.metrics.healthReports.inc({ result: outcome === 'stored' ? 'stored' : 'replay' });
    if (outcome === 'replay') return { stored: false };
    for (const f of findings) {
      if (f.xid !== undefined) this.deps.metrics.xidErrors.inc({ node: id, pool: pool ?? '', xid: String(f.xid) });
    }
    if (after) this.changed(after, before);
    this.emit('reported', id);
    return { stored: true };
  }

  private changed(record: NodeRecord, before: NodeVerdict | undefined): void {
    this.deps.known?.(record.id);
    this.emit('changed', record.id);
    const after = this.verdict(record);
    if (after.health === 'unhealthy' && before?.health !== 'unhealthy') {
      this.deps.logger.warn({ node: record.id, pool: this.poolOf(record), reason: after.reason }, 'node unhealthy');
      this.emit('unhealthy', record.id, after.reason);
    }
  }

  async pendingCommands(id: string): Promise<StoredCommand[]> {
    return this.deps.store.pendingCommands(id);
  }

  async ack(id: string, commandId: string, ack: CommandAck): Promise<AckOutcome> {
    const outcome = await this.deps.store.ackCommand(id, commandId, ack, this.deps.clock.now());
    if (outcome === 'acknowledged') {
      this.deps.logger.info({ node: id, command: commandId, result: ack.result }, 'command acknowledged');
      this.emit('changed', id);
      this.emit('reported', id);
    }
    return outcome;
  }

  /** Queues a command for a node's agent (a repeat of the newest pending command is not queued twice). */
  async issue(id: string, kind: CommandKind, reason?: string, params?: Record<string, unknown>): Promise<StoredCommand> {
    const { command, created } = await this.deps.store.enqueueCommand(id, { kind, reason, params }, this.deps.clock.now());
    if (created) this.deps.metrics.commandsIssued.inc({ kind });
    return command;
  }

  /**
   * Cordons (and with `drain`, drains) a node: recorded, queued for its agent, and told to the
   * workload system. A notifier failure is returned, not thrown: the cordon itself stands.
   */
  async cordon(node: NotifiedNode, reason: string, drain: boolean): Promise<{ record: NodeRecord | undefined; notifierError: string | undefined }> {
    const now = this.deps.clock.now();
    const record = await this.deps.store.setCordon(node.name, { cordoned: true, reason, drainAt: drain ? now : undefined });
    await this.issue(node.name, 'cordon', reason);
    if (drain) await this.issue(node.name, 'drain', reason);
    this.emit('changed', node.name);
    const notifier = this.deps.notifier();
    try {
      await notifier.cordon(node, reason);
      if (drain) await notifier.drain(node, reason);
      return { record, notifierError: undefined };
    } catch (err) {
      const message = `${notifier.name} notifier: ${(err as Error).message}`;
      this.deps.logger.error({ node: node.name, err: message }, 'notifier failed');
      return { record, notifierError: message };
    }
  }

  /** Puts a node back in service: the operator vouches for it, so its health verdicts are cleared too. */
  async uncordon(node: NotifiedNode): Promise<{ record: NodeRecord | undefined; notifierError: string | undefined }> {
    await this.deps.store.setCordon(node.name, { cordoned: false });
    const record = await this.deps.store.updateHealth(node.name, (r) => clearVerdicts(r.health));
    await this.issue(node.name, 'uncordon', 'uncordoned by an operator');
    this.emit('changed', node.name);
    const notifier = this.deps.notifier();
    try {
      await notifier.uncordon(node);
      return { record, notifierError: undefined };
    } catch (err) {
      return { record, notifierError: `${notifier.name} notifier: ${(err as Error).message}` };
    }
  }

  /**
   * Puts a node back in service without vouching for it (a replacement of a node that is not broken
   * failed): its health verdicts stay as they are.
   */
  async release(node: NotifiedNode, reason: string): Promise<void> {
    await this.deps.store.setCordon(node.name, { cordoned: false });
    await this.issue(node.name, 'uncordon', reason);
    this.emit('changed', node.name);
    try {
      await this.deps.notifier().uncordon(node);
    } catch (err) {
      this.deps.logger.error({ node: node.name, err: `${this.deps.notifier().name} notifier: ${(err as Error).message}` }, 'notifier failed');
    }
  }

  /** Every registered node as a scrape sees it. */
  async views(): Promise<NodeView[]> {
    const now = this.deps.clock.now();
    return (await this.deps.store.listNodes()).map((r) => ({
      node: r.id,
      pool: this.poolOf(r) ?? '',
      health: this.verdict(r, now).health,
      gpuCount: r.registration.gpus.length,
      gpus: r.heartbeat?.gpus ?? [],
      checks: r.checks,
      silentSeconds: Math.max(0, (now - lastContact(r)) / 1000),
    }));
  }
}
