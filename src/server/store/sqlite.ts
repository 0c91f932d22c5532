/**
 * The embedded store: one SQLite file (SQLite compiled to WebAssembly, so nothing is built on
 * install). Rollback journal with full sync, since the WebAssembly VFS has no shared memory for
 * WAL; writes are group-committed, so many agents reporting at once share one sync. The file is
 * locked exclusively for as long as it is open: one control plane per store.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Sqlite from 'node-sqlite3-wasm';
import type { Database as SqliteDatabase, Statement } from 'node-sqlite3-wasm';
import { initialHealthState, type BreakerState, type FailureRecord, type NodeHealthState, type PoolBackoff, type VerdictCause } from '../../health/index.js';
import { NavarchError, type CommandAck, type CommandKind, type HealthReport, type HeartbeatRequest, type RegisterRequest } from '../../model/index.js';
import { budgetsFor, DATA_KINDS, DEFAULT_STORE_MAX_BYTES, type DataKind, type Eviction, type KindBudget, type StoreUsage } from './budget.js';
import { makeRoom, RANK, type Sql } from './room.js';
import { GroupCommit } from './group-commit.js';
import { commandFromRow, eventFromRow, lifecycleFromRow, nodeFromRow, reportFromRow, type Row } from './rows.js';
import { DDL, DDL_LATEST, eventBytes, MIGRATIONS, reportBytes, SCHEMA_VERSION } from './schema.js';
import type { AckOutcome, LifecycleRow, LifecycleWrite, NodeRecord, ReportOutcome, ReportVerdict, Store, StoredCommand, StoredEvent, StoredReport } from './types.js';

type SqliteModule = typeof Sqlite;

const SQL = {
  node: 'SELECT * FROM nodes WHERE id = ?',
  nodes: 'SELECT * FROM nodes ORDER BY id',
  insertNode: `INSERT INTO nodes (id, pool, provider, instance_id, boot_id, epoch, registered_at, registration, health)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET pool = excluded.pool, provider = excluded.provider, instance_id = excluded.instance_id,
      boot_id = excluded.boot_id, epoch = excluded.epoch, registered_at = excluded.registered_at,
      registration = excluded.registration, health = excluded.health`,
  heartbeat: 'UPDATE nodes SET last_heartbeat_at = ?, heartbeat = ? WHERE id = ?',
  reportSeen: 'SELECT 1 AS seen FROM reports WHERE node_id = ? AND id = ?',
  insertReport: 'INSERT INTO reports (node_id, id, received_at, seq, time, checks, events, bytes, retention) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  // OR IGNORE: a report id seen so long ago that its record was dropped may still have events stored.
  insertEvent: 'INSERT OR IGNORE INTO events (node_id, report_id, epoch, report_seq, idx, received_at, kind, data, bytes, retention) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  kindBytes: 'SELECT COALESCE(SUM(bytes), 0) AS bytes FROM usage WHERE kind = ?',
  afterReport: 'UPDATE nodes SET last_report_at = ?, checks = ?, health = ? WHERE id = ?',
  health: 'UPDATE nodes SET health = ? WHERE id = ?',
  pending: 'SELECT * FROM commands WHERE node_id = ? AND acked_at IS NULL ORDER BY seq',
} as const;

export class SqliteStore implements Store {
  private readonly statements = new Map<string, Statement>();
  private readonly writes: GroupCommit;
  private budgets: Record<DataKind, KindBudget> = budgetsFor(DEFAULT_STORE_MAX_BYTES);
  private onEvict: ((e: Eviction) => void) | undefined;

  private constructor(private readonly db: SqliteDatabase) {
    this.writes = new GroupCommit(db);
  }

  /** Opens (creating when needed) the store at `path`. */
  static open(path: string): SqliteStore {
    mkdirSync(dirname(path), { recursive: true });
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as SqliteModule;
    let db: SqliteDatabase;
    try {
      db = new Database(path);
      db.get('PRAGMA journal_mode = PERSIST');
      // One process owns the store (see lock.ts): keeping SQLite's file lock spares a lock and an
      // unlock (a mkdir and an rmdir in the WebAssembly VFS) around every statement.
      db.get('PRAGMA locking_mode = EXCLUSIVE');
      db.exec('PRAGMA synchronous = FULL');
      db.exec(DDL);
    } catch (err) {
      throw new NavarchError('store.unavailable', `cannot open the control plane store ${path}: ${(err as Error).message}`, { cause: err });
    }
    const version = Number((db.get("SELECT value FROM meta WHERE key = 'schema'") as Row | null)?.['value'] ?? SCHEMA_VERSION);
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new NavarchError('store.too-new', `${path} was written by a newer navarch (store schema ${version}); upgrade navarch to use it`);
    }
    try {
      for (const step of MIGRATIONS.filter((m) => m.to > version)) {
        const add = step.columns.filter(([table, column]) => !(db.all(`PRAGMA table_info(${table})`) as Row[]).some((c) => c['name'] === column));
        const alter = add.map(([table, column, decl]) => `ALTER TABLE ${table} ADD COLUMN ${column} ${decl};`).join(' ');
        db.exec(`BEGIN; ${alter} ${step.sql} UPDATE meta SET value = '${step.to}' WHERE key = 'schema'; COMMIT;`);
      }
    } catch (err) {
      db.close();
      throw new NavarchError('store.unavailable', `cannot upgrade the control plane store ${path}: ${(err as Error).message}`, { cause: err });
    }
    db.run("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", [String(SCHEMA_VERSION)]);
    db.exec(DDL_LATEST);
    return new SqliteStore(db);
  }

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Statements for what runs inside this store's writes (eviction). */
  private readonly sql: Sql = { row: (q, v) => this.row(q, v), rows: (q, v) => this.rows(q, v), exec: (q, v) => this.exec(q, v) };

  private row(sql: string, values: unknown[]): Row | undefined {
    return (this.stmt(sql).get(values as never) as Row | null) ?? undefined;
  }

  private rows(sql: string, values: unknown[]): Row[] {
    return this.stmt(sql).all(values as never) as Row[];
  }

  private exec(sql: string, values: unknown[]): number {
    return this.stmt(sql).run(values as never).changes;
  }

  private nodeNow(id: string): NodeRecord | undefined {
    const r = this.row(SQL.node, [id]);
    return r ? nodeFromRow(r) : undefined;
  }

  registerNode(id: string, req: RegisterRequest, now: number, fold: (state: NodeHealthState, newBoot: boolean) => NodeHealthState): Promise<NodeRecord> {
    return this.writes.run(() => {
      const before = this.nodeNow(id);
      const newBoot = !before || req.host.bootId === undefined || before.bootId !== req.host.bootId;
      const epoch = (before?.epoch ?? 0) + (newBoot ? 1 : 0);
      const health = fold(before?.health ?? initialHealthState(), newBoot);
      this.exec(SQL.insertNode, [id, req.pool ?? null, req.provider, req.instanceId, req.host.bootId ?? null, epoch, now, JSON.stringify(req), JSON.stringify(health)]);
      return this.nodeNow(id) as NodeRecord;
    });
  }

  recordHeartbeat(id: string, hb: HeartbeatRequest, now: number): Promise<boolean> {
    return this.writes.run(() => {
      const prev = this.row('SELECT heartbeat FROM nodes WHERE id = ?', [id]);
      if (!prev) return false;
      const before = typeof prev['heartbeat'] === 'string' ? (JSON.parse(prev['heartbeat']) as HeartbeatRequest) : undefined;
      // A heartbeat overtaken by a newer one still proves the node alive, but its readings are stale.
      const stale = before !== undefined && hb.seq < before.seq && Date.parse(hb.time) <= Date.parse(before.time);
      this.exec(SQL.heartbeat, [now, JSON.stringify(stale ? before : hb), id]);
      return true;
    });
  }

  async recordReport(id: string, report: HealthReport, now: number, fold: (record: NodeRecord) => ReportVerdict): Promise<ReportOutcome> {
    const { outcome, eviction } = await this.writes.run((): { outcome: ReportOutcome; eviction?: Eviction | undefined } => {
      const node = this.nodeNow(id);
      if (!node) return { outcome: 'unknown-node' };
      if (this.row(SQL.reportSeen, [id, report.id])) return { outcome: 'replay' };
      const verdict = fold(node);
      const ranks = report.events.map((_, i) => RANK[verdict.retention?.events[i] ?? 'normal']);
      // A report's record goes no sooner than its events: dropping it drops them too.
      const reportRank = Math.max(RANK[verdict.retention?.report ?? 'normal'], ...ranks);
      const notPassing = report.checks.filter((c) => c.status !== 'pass');
      const checks = notPassing.length ? JSON.stringify(notPassing) : null;
      const data = report.events.map((e) => JSON.stringify(e));
      const sizes = data.map((d) => eventBytes(id, report.id, d));
      const size = reportBytes(id, report.id, checks);
      const eviction = makeRoom(this.sql, this.budgets.health, 'health', id, size + sizes.reduce((a, b) => a + b, 0));
      this.exec(SQL.insertReport, [id, report.id, now, report.seq, report.time, checks, report.events.length, size, reportRank]);
      report.events.forEach((e, i) => this.exec(SQL.insertEvent, [id, report.id, node.epoch, report.seq, i, now, e.kind, data[i], sizes[i], ranks[i]]));
      this.exec(SQL.afterReport, [now, JSON.stringify(report.checks), JSON.stringify(verdict.health), id]);
      return { outcome: 'stored', eviction };
    });
    if (eviction) this.onEvict?.(eviction);
    return outcome;
  }

  limit(maxBytes: number, onEvict?: (e: Eviction) => void): void {
    this.budgets = budgetsFor(maxBytes);
    this.onEvict = onEvict;
  }

  async usage(): Promise<StoreUsage> {
    const kinds = DATA_KINDS.map((kind) => ({ kind, bytes: Number(this.row(SQL.kindBytes, [kind])?.['bytes'] ?? 0), maxBytes: this.budgets[kind].maxBytes }));
    const pages = Number(this.row('PRAGMA page_count', [])?.['page_count'] ?? 0);
    const size = Number(this.row('PRAGMA page_size', [])?.['page_size'] ?? 0);
    return { kinds, fileBytes: pages * size };
  }

  updateHealth(id: string, fold: (record: NodeRecord) => NodeHealthState): Promise<NodeRecord | undefined> {
    return this.writes.run(() => {
      const node = this.nodeNow(id);
      if (!node) return undefined;
      this.exec(SQL.health, [JSON.stringify(fold(node)), id]);
      return this.nodeNow(id);
    });
  }

  setCordon(id: string, change: { cordoned: boolean; reason?: string | undefined; drainAt?: number | undefined }): Promise<NodeRecord | undefined> {
    return this.writes.run(() => {
      const drain = change.cordoned ? 'COALESCE(?, drain_requested_at)' : '?';
      const n = this.exec(`UPDATE nodes SET cordoned = ?, cordon_reason = ?, drain_requested_at = ${drain} WHERE id = ?`, [
        change.cordoned ? 1 : 0,
        change.cordoned ? (change.reason ?? null) : null,
        change.cordoned ? (change.drainAt ?? null) : null,
        id,
      ]);
      return n > 0 ? this.nodeNow(id) : undefined;
    });
  }

  enqueueCommand(
    nodeId: string,
    cmd: { kind: CommandKind; reason?: string | undefined; params?: Record<string, unknown> | undefined },
    now: number,
  ): Promise<{ command: StoredCommand; created: boolean }> {
    return this.writes.run(() => {
      // Only the newest pending command may absorb a repeat: cordon, uncordon, cordon must stay three.
      // Parameters are part of the request: a level-3 diagnostic is not a repeat of a level-1 one.
      const last = this.rows(SQL.pending, [nodeId]).map(commandFromRow).at(-1);
      const same = last?.kind === cmd.kind && JSON.stringify(last.params ?? null) === JSON.stringify(cmd.params ?? null);
      const existing = same ? last : undefined;
      if (existing) return { command: existing, created: false };
      const id = `cmd-${randomUUID()}`;
      this.exec('INSERT INTO commands (id, node_id, kind, reason, params, issued_at) VALUES (?, ?, ?, ?, ?, ?)', [
        id,
        nodeId,
        cmd.kind,
        cmd.reason ?? null,
        cmd.params ? JSON.stringify(cmd.params) : null,
        now,
      ]);
      return { command: commandFromRow(this.row('SELECT * FROM commands WHERE id = ?', [id]) as Row), created: true };
    });
  }

  async pendingCommands(nodeId: string): Promise<StoredCommand[]> {
    return this.rows(SQL.pending, [nodeId]).map(commandFromRow);
  }

  async commands(nodeId: string, limit: number): Promise<StoredCommand[]> {
    return this.rows('SELECT * FROM commands WHERE node_id = ? ORDER BY seq DESC LIMIT ?', [nodeId, limit]).map(commandFromRow);
  }

  ackCommand(nodeId: string, commandId: string, ack: CommandAck, now: number): Promise<AckOutcome> {
    return this.writes.run(() => {
      const r = this.row('SELECT acked_at FROM commands WHERE id = ? AND node_id = ?', [commandId, nodeId]);
      if (!r) return 'not-found';
      if (r['acked_at'] !== null && r['acked_at'] !== undefined) return 'already-acknowledged';
      this.exec('UPDATE commands SET acked_at = ?, result = ?, message = ?, details = ? WHERE id = ?', [
        now,
        ack.result,
        ack.message ?? null,
        ack.details ? JSON.stringify(ack.details) : null,
        commandId,
      ]);
      return 'acknowledged';
    });
  }

  async getNode(id: string): Promise<NodeRecord | undefined> {
    return this.nodeNow(id);
  }

  async listNodes(): Promise<NodeRecord[]> {
    return this.rows(SQL.nodes, []).map(nodeFromRow);
  }

  async events(nodeId: string, limit: number): Promise<StoredEvent[]> {
    const rows = this.rows('SELECT * FROM events WHERE node_id = ? ORDER BY epoch DESC, report_seq DESC, idx DESC LIMIT ?', [nodeId, limit]);
    return rows.map(eventFromRow).reverse();
  }

  async reports(nodeId: string, limit: number): Promise<StoredReport[]> {
    // rowid is the order of arrival (reports are only ever inserted).
    return this.rows('SELECT * FROM reports WHERE node_id = ? ORDER BY rowid DESC LIMIT ?', [nodeId, limit]).map(reportFromRow).reverse();
  }

  forgetNode(id: string): Promise<void> {
    return this.writes.run(() => {
      for (const table of ['events', 'reports', 'commands']) this.exec(`DELETE FROM ${table} WHERE node_id = ?`, [id]);
      this.exec("DELETE FROM usage WHERE kind = 'health' AND owner = ?", [id]);
      this.exec('DELETE FROM nodes WHERE id = ?', [id]);
    });
  }

  prune(reportsBefore: number, eventsBefore: number): Promise<{ reports: number; events: number }> {
    return this.writes.run(() => ({
      reports: this.exec('DELETE FROM reports WHERE received_at < ?', [reportsBefore]),
      events: this.exec('DELETE FROM events WHERE received_at < ?', [eventsBefore]),
    }));
  }

  async breakers(): Promise<Record<string, BreakerState>> {
    const out: Record<string, BreakerState> = {};
    for (const r of this.rows('SELECT pool, state FROM breakers ORDER BY pool', [])) out[String(r['pool'])] = JSON.parse(String(r['state'])) as BreakerState;
    return out;
  }

  setBreaker(pool: string, state: BreakerState): Promise<void> {
    return this.writes.run(() => {
      this.exec('INSERT INTO breakers (pool, state) VALUES (?, ?) ON CONFLICT (pool) DO UPDATE SET state = excluded.state', [pool, JSON.stringify(state)]);
    });
  }

  async lifecycles(filter: { kind?: string; active?: boolean } = {}): Promise<LifecycleRow[]> {
    const where = [filter.kind !== undefined ? 'kind = ?' : '', filter.active ? 'finished_at IS NULL' : ''].filter(Boolean);
    const sql = `SELECT * FROM lifecycles${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, kind, id`;
    return this.rows(sql, filter.kind !== undefined ? [filter.kind] : []).map(lifecycleFromRow);
  }

  async lifecycle(kind: string, id: string): Promise<LifecycleRow | undefined> {
    const r = this.row('SELECT * FROM lifecycles WHERE kind = ? AND id = ?', [kind, id]);
    return r ? lifecycleFromRow(r) : undefined;
  }

  saveLifecycle(write: LifecycleWrite, expected: number, now: number): Promise<LifecycleRow | undefined> {
    return this.writes.run(() => {
      const body = JSON.stringify(write.body);
      const finished = write.finished ? now : null;
      if (expected === 0) {
        const n = this.exec(
          'INSERT INTO lifecycles (kind, id, pool, state, body, version, created_at, updated_at, finished_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING',
          [write.kind, write.id, write.pool, write.state, body, now, now, finished],
        );
        if (n === 0) return undefined;
      } else {
        // COALESCE: a lifecycle finishes once; a later write (its clean-up) keeps when it did.
        const n = this.exec(
          'UPDATE lifecycles SET pool = ?, state = ?, body = ?, version = version + 1, updated_at = ?, finished_at = COALESCE(finished_at, ?) WHERE kind = ? AND id = ? AND version = ?',
          [write.pool, write.state, body, now, finished, write.kind, write.id, expected],
        );
        if (n === 0) return undefined;
      }
      const r = this.row('SELECT * FROM lifecycles WHERE kind = ? AND id = ?', [write.kind, write.id]);
      return r ? lifecycleFromRow(r) : undefined;
    });
  }

  pruneLifecycles(before: number): Promise<number> {
    return this.writes.run(() => this.exec('DELETE FROM lifecycles WHERE finished_at IS NOT NULL AND finished_at < ?', [before]));
  }

  recordFailures(failures: readonly FailureRecord[]): Promise<void> {
    if (failures.length === 0) return Promise.resolve();
    return this.writes.run(() => {
      for (const f of failures) this.exec('INSERT OR IGNORE INTO failures (node, since, pool, cause) VALUES (?, ?, ?, ?)', [f.node, f.since, f.pool, f.cause]);
    });
  }

  async failures(since: number): Promise<FailureRecord[]> {
    return this.rows('SELECT * FROM failures WHERE since >= ? ORDER BY since, node', [since]).map((r) => ({
      node: String(r['node']),
      pool: String(r['pool']),
      since: Number(r['since']),
      cause: String(r['cause']) as VerdictCause,
    }));
  }

  pruneFailures(before: number): Promise<number> {
    return this.writes.run(() => this.exec('DELETE FROM failures WHERE since < ?', [before]));
  }

  async backoffs(): Promise<Record<string, PoolBackoff>> {
    const out: Record<string, PoolBackoff> = {};
    for (const r of this.rows('SELECT pool, state FROM backoffs ORDER BY pool', [])) out[String(r['pool'])] = JSON.parse(String(r['state'])) as PoolBackoff;
    return out;
  }

  setBackoff(pool: string, backoff: PoolBackoff | undefined): Promise<void> {
    return this.writes.run(() => {
      if (backoff) this.exec('INSERT INTO backoffs (pool, state) VALUES (?, ?) ON CONFLICT (pool) DO UPDATE SET state = excluded.state', [pool, JSON.stringify(backoff)]);
      else this.exec('DELETE FROM backoffs WHERE pool = ?', [pool]);
    });
  }

  async close(): Promise<void> {
    this.writes.close();
    for (const s of this.statements.values()) s.finalize();
    this.statements.clear();
    this.db.close();
  }
}
