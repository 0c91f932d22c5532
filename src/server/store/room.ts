/**
 * Making room in the store for what is about to be written: which owners give up how much is
 * budget.ts's decision; this drops their records, inside the same transaction as the write, so
 * both commit or neither.
 */
import type { Retention } from '../../health/index.js';
import { cutsFor, type DataKind, type Eviction, type KindBudget } from './budget.js';
import type { Row } from './rows.js';

/** The statements a store runs inside its current write. */
export interface Sql {
  row(sql: string, values: unknown[]): Row | undefined;
  rows(sql: string, values: unknown[]): Row[];
  exec(sql: string, values: unknown[]): number;
}

/** Retention as stored: the order records are dropped in. */
export const RANK: Readonly<Record<Retention, number>> = { low: 0, normal: 1, high: 2, keep: 3 };
const DROPPABLE = [RANK.low, RANK.normal, RANK.high];

const OLDEST_REPORTS = 'SELECT rowid AS r, id, received_at AS at FROM reports WHERE node_id = ? AND retention = ? ORDER BY rowid LIMIT 64';
const OLDEST_EVENTS = 'SELECT rowid AS r, received_at AS at FROM events WHERE node_id = ? AND retention = ? ORDER BY rowid LIMIT 64';

function ownerBytes(sql: Sql, kind: DataKind, owner: string): number {
return Number(sql.row('SELECT bytes FROM usage WHERE kind = ? AND owner = ?', [kind, owner])?.['bytes'] ?? 0);
}

/**
 * Drops records of `kind` until `owner` can add `incoming` bytes within the kind's budget (see
 * budget.ts for who gives up what). Runs inside the write that adds them, so both commit or neither.
 */
export function makeRoom(sql: Sql, budget: KindBudget, kind: DataKind, owner: string, incoming: number): Eviction | undefined {
  const total = Number(sql.row('SELECT COALESCE(SUM(bytes), 0) AS bytes FROM usage WHERE kind = ?', [kind])?.['bytes'] ?? 0);
  const cap = budget.perOwnerMaxBytes;
  if (total + incoming <= budget.maxBytes && (cap === undefined || ownerBytes(sql, kind, owner) + incoming <= cap)) return undefined;
  const usage = new Map(sql.rows('SELECT owner, bytes FROM usage WHERE kind = ? AND bytes > 0', [kind]).map((r) => [String(r['owner']), Number(r['bytes'])]));
  const stuck = new Set<string>();
  const owners = new Set<string>();
  let records = 0;
  let bytes = 0;
  // An owner that cannot give up all it was asked (what it has left is kept) leaves the rest to the others.
  for (let round = 0; round < 4; round++) {
    const cuts = cutsFor({ budget, usage, owner, incoming, stuck });
    if (cuts.size === 0) break;
    for (const [o, want] of cuts) {
      const dropped = evict(sql, kind, o, want);
      records += dropped.records;
      bytes += dropped.bytes;
      if (dropped.records > 0) owners.add(o);
      usage.set(o, (usage.get(o) ?? 0) - dropped.bytes);
      if (dropped.bytes < want) stuck.add(o);
    }
  }
  return { kind, records, bytes, owners: [...owners].sort(), overBudget: total - bytes + incoming > budget.maxBytes };
}

/** Drops `owner`'s records of `kind`, oldest of the lowest retention first, until `want` bytes are freed; `keep` records never. */
function evict(sql: Sql, kind: DataKind, owner: string, want: number): { records: number; bytes: number } {
  // One kind so far. Each kind names the tables it keeps and how a record of it goes.
  if (kind !== 'health') return { records: 0, bytes: 0 };
  const start = ownerBytes(sql, kind, owner);
  const freed = (): number => start - ownerBytes(sql, kind, owner);
  let records = 0;
  for (const rank of DROPPABLE) {
    while (freed() < want) {
      const reports = sql.rows(OLDEST_REPORTS, [owner, rank]);
      const events = sql.rows(OLDEST_EVENTS, [owner, rank]);
      if (reports.length === 0 && events.length === 0) break;
      // Oldest first across both tables, up to where both chunks reach.
      const reach = Math.min(reports.length === 64 ? Number(reports[63]?.['at']) : Infinity, events.length === 64 ? Number(events[63]?.['at']) : Infinity);
      const batch = [...reports.map((r) => ({ report: String(r['id']), rowid: r['r'], at: Number(r['at']) })), ...events.map((e) => ({ report: undefined, rowid: e['r'], at: Number(e['at']) }))]
        .filter((x) => x.at <= reach)
        .sort((a, b) => a.at - b.at);
      for (const x of batch) {
        if (freed() >= want) break;
        if (x.report !== undefined) {
          records += sql.exec('DELETE FROM events WHERE node_id = ? AND report_id = ?', [owner, x.report]);
          records += sql.exec('DELETE FROM reports WHERE rowid = ?', [x.rowid]);
        } else {
          records += sql.exec('DELETE FROM events WHERE rowid = ?', [x.rowid]);
        }
      }
    }
  }
  return { records, bytes: freed() };
}
