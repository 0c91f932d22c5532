/**
 * How much the store may hold, and who gives up what when it is full. The store's data comes in
 * kinds, each with its own budget (a share of `control_plane.store_max_bytes`) and each record
 * owned by something: health reports and events by their node. A kind over its budget drops its
 * own records only, the oldest of the lowest retention first, taken from whichever owners hold the
 * most: one node's flood costs that node its history, never another node theirs, and no kind can
 * crowd out another. Job logs are meant to be a second kind, owned by their job, with a per-owner
 * cap (`perOwnerMaxBytes`) so a chatty job runs out of room before any other data does.
 * Pure: sizes in, bytes to free per owner out.
 */

/** A kind of data the store keeps under a budget. */
export type DataKind = 'health';

export const DATA_KINDS: readonly DataKind[] = ['health'];

/** The default of `control_plane.store_max_bytes`. */
export const DEFAULT_STORE_MAX_BYTES = 2 * 1024 ** 3;

/**
 * The share of `store_max_bytes` each kind's records may fill, as the store counts them. The rest
 * is for what SQLite adds around them (index entries, pages left part-empty by deletes, the
 * journal) and for the records no budget governs (nodes, commands, breakers), which are few.
 */
const SHARES: Readonly<Record<DataKind, number>> = { health: 0.5 };

export interface KindBudget {
  /** Most the kind's records may add up to. */
  maxBytes: number;
  /** Most one owner's records may add up to; undefined: owners share what the kind has. */
  perOwnerMaxBytes: number | undefined;
}

/** Each kind's budget within a store of `storeMaxBytes`. */
export function budgetsFor(storeMaxBytes: number): Record<DataKind, KindBudget> {
  return { health: { maxBytes: Math.floor(storeMaxBytes * SHARES.health), perOwnerMaxBytes: undefined } };
}

/** Room made beyond what is needed, so the next records do not each have to evict again. */
export function slackOf(maxBytes: number): number {
  return Math.min(Math.ceil(maxBytes / 32), 8 * 1024 * 1024);
}

export interface RoomInput {
  budget: KindBudget;
  /** Bytes each owner holds now. */
  usage: ReadonlyMap<string, number>;
  /** Who is about to add `incoming` bytes. */
  owner: string;
  incoming: number;
  /** Owners that have nothing left they may give up (only `keep` records): their bytes stay. */
  stuck?: ReadonlySet<string>;
}

/**
 * Bytes each owner must give up before `owner` adds `incoming`: first an owner past its own cap
 * comes back under it, then, when the kind is over its budget, the largest owners are brought
 * down to one common level (the smaller ones keep all they have).
 */
export function cutsFor(input: RoomInput): Map<string, number> {
  const { budget, owner, incoming } = input;
  const stuck = input.stuck ?? new Set<string>();
  const cuts = new Map<string, number>();
  const held = new Map(input.usage);
  const cap = budget.perOwnerMaxBytes;
  const own = held.get(owner) ?? 0;
  if (cap !== undefined && !stuck.has(owner) && own + incoming > cap) {
    const cut = Math.min(own, own + incoming - cap + slackOf(cap));
    cuts.set(owner, cut);
    held.set(owner, own - cut);
  }
  let total = incoming;
  for (const b of held.values()) total += b;
  if (total <= budget.maxBytes) return cuts;

  // Water-filling over the owners that can give something up.
  let room = budget.maxBytes - slackOf(budget.maxBytes) - incoming;
  const open: Array<[string, number]> = [];
  for (const [o, b] of held) {
    if (stuck.has(o)) room -= b;
    else if (b > 0) open.push([o, b]);
  }
  open.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  let rest = open.reduce((s, [, b]) => s + b, 0);
  let level = 0;
  for (let k = 1; k <= open.length; k++) {
    rest -= (open[k - 1] as [string, number])[1];
    const l = (room - rest) / k;
    const next = open[k]?.[1] ?? 0;
    if (l >= next) {
      level = Math.max(0, Math.floor(l));
      break;
    }
  }
  for (const [o, b] of open) {
    if (b > level) cuts.set(o, (cuts.get(o) ?? 0) + b - level);
  }
  return cuts;
}

/** What one eviction dropped, once it is committed (for the log line and the metric). */
export interface Eviction {
  kind: DataKind;
  /** Records dropped. */
  records: number;
  /** Their size, as the store counts it. */
  bytes: number;
  /** Whose records they were. */
  owners: string[];
  /** Still over budget afterwards: what is left may not be dropped (`keep` records). */
  overBudget: boolean;
}

/** What the store holds of one kind, against its budget. */
export interface KindUsage {
  kind: DataKind;
  bytes: number;
  maxBytes: number;
}

export interface StoreUsage {
  kinds: KindUsage[];
  /** The store file's size on disk. */
  fileBytes: number;
}
