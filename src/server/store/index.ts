/** The control plane's store: the interface, and the embedded SQLite implementation. */
export type { AckOutcome, NodeRecord, ReportOutcome, Store, StoredCommand, StoredEvent, StoredReport } from './types.js';
export { lastContact } from './types.js';
export { SqliteStore } from './sqlite.js';
export { lockStore } from './lock.js';
export { wireCommand } from './rows.js';
