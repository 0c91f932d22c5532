/** The embedded store's tables. Bump SCHEMA_VERSION and add a step when a table changes. */

export const SCHEMA_VERSION = 2;

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
`;

/** Steps from an older store, each taking it to `to`. */
export const MIGRATIONS: ReadonlyArray<{ to: number; sql: string }> = [
  // 2: reports keep their sequence number, time, non-passing checks and event count (the admin API lists them).
  {
    to: 2,
    sql: `ALTER TABLE reports ADD COLUMN seq INTEGER;
ALTER TABLE reports ADD COLUMN time TEXT;
ALTER TABLE reports ADD COLUMN checks TEXT;
ALTER TABLE reports ADD COLUMN events INTEGER NOT NULL DEFAULT 0;`,
  },
];
