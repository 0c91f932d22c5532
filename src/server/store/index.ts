/** The control plane's store: the interface, and the embedded SQLite implementation. */
export type { AckOutcome, LifecycleRow, LifecycleWrite, NodeRecord, ReportOutcome, ReportVerdict, Store, StoredCommand, StoredEvent, StoredReport } from './types.js';
export { budgetsFor, cutsFor, DEFAULT_STORE_MAX_BYTES, type DataKind, type Eviction, type KindBudget, type KindUsage, type StoreUsage } from './budget.js';
export { lastContact } from './types.js';
export { SqliteStore } from './sqlite.js';
export { lockStore } from './lock.js';
export { wireCommand } from './rows.js';
