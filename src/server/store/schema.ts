/** The embedded store's tables. Bump SCHEMA_VERSION and add a step when a table changes. */

export const SCHEMA_VERSION = 4;

export const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
  id TEXT PRIMARY KEY,
  pool TEXT,
  provider TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  boot_id TEXT,
  epoch INTEGER NOT NULL,
  registered_at INTEGER NOT NULL,
  registration TEXT NOT NULL,
  last_heartbeat_at INTEGER,
  heartbeat TEXT,
  last_report_at INTEGER,
  checks TEXT NOT NULL DEFAULT '[]',
  health TEXT NOT NULL,
  cordoned INTEGER NOT NULL DEFAULT 0,
  cordon_reason TEXT,
  drain_requested_at INTEGER
);
CREATE TABLE IF NOT EXISTS reports (
  node_id TEXT NOT NULL,
  id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  seq INTEGER,
  time TEXT,
  checks TEXT,
  events INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  retention INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (node_id, id)
);
CREATE INDEX IF NOT EXISTS reports_received ON reports (received_at);
CREATE TABLE IF NOT EXISTS events (
  node_id TEXT NOT NULL,
  report_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  report_seq INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  retention INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (node_id, report_id, idx)
);
CREATE INDEX IF NOT EXISTS events_order ON events (node_id, epoch, report_seq, idx);
CREATE INDEX IF NOT EXISTS events_received ON events (received_at);
CREATE TABLE IF NOT EXISTS commands (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  node_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  reason TEXT,
  params TEXT,
  issued_at INTEGER NOT NULL,
  acked_at INTEGER,
  result TEXT,
  message TEXT,
  details TEXT
);
CREATE INDEX IF NOT EXISTS commands_pending ON commands (node_id, acked_at);
CREATE TABLE IF NOT EXISTS breakers (pool TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lifecycles (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  pool TEXT NOT NULL,
  state TEXT NOT NULL,
  body TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS lifecycles_active ON lifecycles (finished_at, kind);
CREATE TABLE IF NOT EXISTS failures (node TEXT NOT NULL, since INTEGER NOT NULL, pool TEXT NOT NULL, cause TEXT NOT NULL, PRIMARY KEY (node, since));
CREATE INDEX IF NOT EXISTS failures_since ON failures (since);
CREATE TABLE IF NOT EXISTS backoffs (pool TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS usage (kind TEXT NOT NULL, owner TEXT NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (kind, owner));
`;

/**
 * What needs the latest columns, created once the migrations have run. Each health record's size
 * is kept in the usage table per node by triggers, so every write and delete (eviction, pruning, a
 * forgotten node) keeps the count right in the same transaction.
 */
export const DDL_LATEST = `
CREATE INDEX IF NOT EXISTS reports_evict ON reports (node_id, retention);
CREATE INDEX IF NOT EXISTS events_evict ON events (node_id, retention);
CREATE TRIGGER IF NOT EXISTS reports_usage_add AFTER INSERT ON reports BEGIN
  INSERT INTO usage (kind, owner, bytes) VALUES ('health', NEW.node_id, NEW.bytes) ON CONFLICT (kind, owner) DO UPDATE SET bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER IF NOT EXISTS reports_usage_drop AFTER DELETE ON reports BEGIN
  UPDATE usage SET bytes = bytes - OLD.bytes WHERE kind = 'health' AND owner = OLD.node_id;
END;
CREATE TRIGGER IF NOT EXISTS events_usage_add AFTER INSERT ON events BEGIN
  INSERT INTO usage (kind, owner, bytes) VALUES ('health', NEW.node_id, NEW.bytes) ON CONFLICT (kind, owner) DO UPDATE SET bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER IF NOT EXISTS events_usage_drop AFTER DELETE ON events BEGIN
  UPDATE usage SET bytes = bytes - OLD.bytes WHERE kind = 'health' AND owner = OLD.node_id;
END;
`;

/**
 * The size the store counts for a record: its text, its keys once per index they are in, and a
 * row's fixed cost (migration 3 computes the same in SQL).
 */
export function eventBytes(nodeId: string, reportId: string, data: string): number {
  return Buffer.byteLength(data) + 3 * Buffer.byteLength(nodeId) + 2 * Buffer.byteLength(reportId) + 96;
}
export function reportBytes(nodeId: string, reportId: string, checks: string | null): number {
  return (checks === null ? 0 : Buffer.byteLength(checks)) + 2 * Buffer.byteLength(nodeId) + 2 * Buffer.byteLength(reportId) + 96;
}

/**
 * Steps from an older store, each taking it to `to`: columns to add (where the table lacks them:
 * a table the DDL just created has them already), then SQL.
 */
export const MIGRATIONS: ReadonlyArray<{ to: number; columns: ReadonlyArray<readonly [table: string, column: string, decl: string]>; sql: string }> = [
  // 2: reports keep their sequence number, time, non-passing checks and event count (the admin API lists them).
  {
    to: 2,
    columns: [
      ['reports', 'seq', 'INTEGER'],
      ['reports', 'time', 'TEXT'],
      ['reports', 'checks', 'TEXT'],
      ['reports', 'events', 'INTEGER NOT NULL DEFAULT 0'],
    ],
    sql: '',
  },
  // 3: health records carry their size and retention, counted per node, so the store stays within
  // store_max_bytes. Events that may have condemned a node are kept; nothing else was ranked.
  {
    to: 3,
    columns: [
      ['reports', 'bytes', 'INTEGER NOT NULL DEFAULT 0'],
      ['reports', 'retention', 'INTEGER NOT NULL DEFAULT 1'],
      ['events', 'bytes', 'INTEGER NOT NULL DEFAULT 0'],
      ['events', 'retention', 'INTEGER NOT NULL DEFAULT 1'],
    ],
    sql: `UPDATE events SET bytes = length(CAST(data AS BLOB)) + 3 * length(CAST(node_id AS BLOB)) + 2 * length(CAST(report_id AS BLOB)) + 96,
  retention = CASE WHEN kind IN ('xid', 'ecc', 'remapped-rows', 'retired-pages', 'preemption') THEN 3 ELSE 1 END;
UPDATE reports SET bytes = COALESCE(length(CAST(checks AS BLOB)), 0) + 2 * length(CAST(node_id AS BLOB)) + 2 * length(CAST(id AS BLOB)) + 96,
  retention = CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.node_id = reports.node_id AND e.report_id = reports.id AND e.retention = 3) THEN 3 ELSE 1 END;
DELETE FROM usage WHERE kind = 'health';
INSERT INTO usage (kind, owner, bytes) SELECT 'health', node_id, SUM(bytes) FROM (SELECT node_id, bytes FROM events UNION ALL SELECT node_id, bytes FROM reports) GROUP BY node_id;`,
  },
  // 4: lifecycles (replacements the loop advances pass by pass), the breaker's failure log and each
  // pool's replacement backoff. New tables only, which the DDL creates: nothing to convert.
  { to: 4, columns: [], sql: '' },
];
