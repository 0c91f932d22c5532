/**
 * The status being built during an apply. Apply records each completed action here and flushes the
 * book to disk after every one, so a crash loses nothing that happened.
 */
import { priceOf } from '../catalog/index.js';
import {
  STATUS_VERSION,
  TAG,
  type DesiredFleet,
  type FleetStatus,
  type InFlight,
  type Instance,
  type ObservedFleet,
  type ObservedNode,
  type StatusCondition,
  type StatusEvent,
  type StatusHistoryEntry,
  type StatusLifecycle,
  type StatusNode,
  type StatusPool,
} from '../model/index.js';
import { ordinalOf } from './names.js';

/** Bounded so the file stays readable: events of the last applies only. */
const MAX_EVENTS = 200;

export function emptyStatus(fleet: string, now: string): FleetStatus {
  return {
    version: STATUS_VERSION,
    fleet,
    updated_at: now,
    desired: { commit: null, digest: '' },
    summary: { nodes: 0, healthy: 0, unhealthy: 0, cost_per_hour: 0 },
    pools: {},
    nodes: [],
    jobs: [],
    events: [],
    history: [],
  };
}

/** Each node's part in the lifecycles in flight, by node name. */
function lifecycleParts(lifecycles: readonly InFlight[] | undefined): Map<string, StatusLifecycle> {
  const out = new Map<string, StatusLifecycle>();
  for (const l of lifecycles ?? []) {
    const base = { id: l.id, state: l.state, since: l.since, health: l.health, ...(l.waitingFor ? { waiting_for: l.waitingFor } : {}) };
    out.set(l.old, { ...base, role: 'old', ...(l.new ? { peer: l.new } : {}) });
    if (l.new) out.set(l.new, { ...base, role: 'new', peer: l.old });
  }
  return out;
}

function statusNode(n: ObservedNode, since: string): StatusNode {
  const out: StatusNode = {
    name: n.name,
    pool: n.pool,
    provider: n.provider,
    region: n.region,
    instance_type: n.instanceType,
    instance_id: n.instanceId,
    spot: n.spot,
    state: n.state,
    health: n.health,
    since,
  };
  if (n.zone) out.zone = n.zone;
  if (n.healthReason) out.health_reason = n.healthReason;
  if (n.cordoned) out.cordoned = true;
  if (n.launchedAt) out.launched_at = n.launchedAt;
  if (n.privateIp) out.private_ip = n.privateIp;
  if (n.publicIp) out.public_ip = n.publicIp;
  return out;
}

/**
 * What only a node's agent says (through the control plane) is carried from the last status, as its
 * health is, so an apply without a control plane keeps it; the control plane writes it afresh.
 */
function carryAgentFacts(to: StatusNode, from: StatusNode): void {
  if (from.agent_version !== undefined) to.agent_version = from.agent_version;
  if (from.last_seen !== undefined) to.last_seen = from.last_seen;
  if (from.gpu_health !== undefined) to.gpu_health = structuredClone(from.gpu_health);
  // The cloud did not say when it launched the node: what the last status recorded still holds.
  if (to.launched_at === undefined && from.launched_at !== undefined) to.launched_at = from.launched_at;
}

export class StatusBook {
  private readonly nodes = new Map<string, StatusNode>();
  private readonly events: StatusEvent[];
  private readonly lastOrdinal = new Map<string, number>();
  private readonly prev: FleetStatus | undefined;
  private readonly parts: Map<string, StatusLifecycle>;

  /**
   * `frozen`: pools the plan left unknown (`Plan.unknown`). Their records, and the record of every
   * node on a provider that could not be listed, are kept exactly as `prev` has them: what could not
   * be seen is not gone.
   */
  constructor(
    private readonly desired: DesiredFleet,
    observed: ObservedFleet,
    prev: FleetStatus | undefined,
    private readonly now: () => string,
    private readonly frozen: ReadonlySet<string> = new Set(),
  ) {
    this.prev = prev;
    this.parts = lifecycleParts(observed.lifecycles);
    this.events = [...(prev?.events ?? [])];
    const prevNodes = new Map((prev?.nodes ?? []).map((n) => [n.instance_id, n]));
    for (const n of observed.nodes) {
      if (frozen.has(n.pool)) continue;
      const before = prevNodes.get(n.instanceId);
      const since = before && before.state === n.state ? before.since : (n.since ?? n.launchedAt ?? now());
      const sn = statusNode(n, since);
      if (before?.placement_note) sn.placement_note = before.placement_note;
      if (before) carryAgentFacts(sn, before);
      const part = this.parts.get(n.name);
      if (part && n.name) sn.lifecycle = part;
      this.nodes.set(n.instanceId, sn);
    }
    for (const [name, p] of Object.entries(observed.pools)) this.lastOrdinal.set(name, p.lastOrdinal);
    for (const n of observed.nodes) this.bumpOrdinal(n.pool, n.ordinal);
    // A replacement's name is taken from the moment it is started, before its node exists.
    for (const l of observed.lifecycles ?? []) if (l.new) this.bumpOrdinal(l.pool, ordinalOf(l.new, l.pool));
    const unlisted = new Set(observed.gaps.map((g) => g.provider));
    for (const n of prev?.nodes ?? []) {
      if (!unlisted.has(n.provider) && !frozen.has(n.pool)) continue;
      this.nodes.set(n.instance_id, structuredClone(n));
      this.bumpOrdinal(n.pool, ordinalOf(n.name, n.pool));
    }
  }

  private bumpOrdinal(pool: string, ordinal: number): void {
    if (pool && ordinal > (this.lastOrdinal.get(pool) ?? 0)) this.lastOrdinal.set(pool, ordinal);
  }

  /** A node apply created (or adopted from an earlier, interrupted run). */
  nodeCreated(instance: Instance, note?: string): void {
    const name = instance.tags[TAG.node] ?? instance.id;
    const pool = instance.tags[TAG.pool] ?? '';
    this.bumpOrdinal(pool, ordinalOf(name, pool));
    const sn: StatusNode = {
      name,
      pool,
      provider: instance.provider,
      region: instance.region,
      instance_type: instance.instanceType,
      instance_id: instance.id,
      spot: instance.spot,
      state: instance.state,
      health: 'unknown',
      since: this.now(),
    };
    if (instance.zone) sn.zone = instance.zone;
    if (note) sn.placement_note = note;
    sn.launched_at = instance.launchedAt ?? sn.since;
    if (instance.privateIp) sn.private_ip = instance.privateIp;
    if (instance.publicIp) sn.public_ip = instance.publicIp;
    const part = this.parts.get(name);
    if (part) sn.lifecycle = part;
    this.nodes.set(instance.id, sn);
  }

  nodeDestroyed(instanceId: string): void {
    this.nodes.delete(instanceId);
  }

  event(e: Omit<StatusEvent, 'time'>): void {
    this.events.push({ time: this.now(), ...e });
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  /** The status as of now. `final` records the desired state as applied and appends a history entry. */
  snapshot(final?: Omit<StatusHistoryEntry, 'time' | 'desired_commit' | 'desired_digest'>): FleetStatus {
    const now = this.now();
    const nodes = [...this.nodes.values()].sort((a, b) => a.pool.localeCompare(b.pool) || ordinalOf(a.name, a.pool) - ordinalOf(b.name, b.pool) || a.name.localeCompare(b.name));
    const price = (n: StatusNode): number | undefined => {
      const type = this.desired.providers[n.provider]?.type;
      return type ? priceOf(type, n.instance_type, n.region, n.spot) : undefined;
    };
    for (const n of nodes) {
      const p = price(n);
      if (p !== undefined) n.price_per_hour = p;
    }
    const pools: Record<string, StatusPool> = {};
    const names = new Set([...this.desired.pools.map((p) => p.name), ...nodes.map((n) => n.pool).filter(Boolean)]);
    for (const name of [...names].sort()) {
      const spec = this.desired.pools.find((p) => p.name === name);
      const prevPool = this.prev?.pools[name];
      if (this.frozen.has(name)) {
        if (prevPool) pools[name] = structuredClone(prevPool);
        continue;
      }
      const mine = nodes.filter((n) => n.pool === name);
      const live = mine.filter((n) => n.state === 'pending' || n.state === 'running');
      const unhealthy = mine.filter((n) => n.health === 'unhealthy' || n.state === 'failed').length;
      const healthy = mine.filter((n) => n.health === 'healthy').length;
      const target = spec?.targetNodes ?? 0;
      const pool: StatusPool = {
        target,
        min_nodes: spec?.minNodes ?? 0,
        max_nodes: spec?.maxNodes ?? 0,
        nodes: mine.length,
        healthy,
        last_ordinal: Math.max(0, this.lastOrdinal.get(name) ?? 0),
        protect: spec?.protect ?? prevPool?.protect ?? false,
        cost_per_hour: round(mine.reduce((s, n) => s + (n.price_per_hour ?? 0), 0)),
        conditions: conditions(prevPool?.conditions ?? [], now, {
          live: live.length,
          target,
          unhealthy,
          declared: spec !== undefined,
          progressing: !final,
        }),
      };
      const applied = final && spec ? this.desired.poolDocuments[name] : prevPool?.applied;
      if (applied) pool.applied = applied;
      pools[name] = pool;
    }
    const history = [...(this.prev?.history ?? [])];
    if (final) {
      const entry: StatusHistoryEntry = { time: now, desired_commit: this.desired.commit ?? null, desired_digest: this.desired.digest, ...final };
      const last = history[0];
      // A run of reconciles that found nothing to do is one entry, dated by the latest.
      if (entry.result === 'no-changes' && last?.result === 'no-changes' && last.desired_digest === entry.desired_digest && last.desired_commit === entry.desired_commit) {
        history[0] = entry;
      } else history.unshift(entry);
      history.splice(this.desired.settings.historyLimit);
    }
    return {
      version: STATUS_VERSION,
      fleet: this.desired.fleet,
      updated_at: now,
      desired: final
        ? { commit: this.desired.commit ?? null, digest: this.desired.digest }
        : (this.prev?.desired ?? { commit: null, digest: '' }),
      summary: {
        nodes: nodes.length,
        healthy: nodes.filter((n) => n.health === 'healthy').length,
        unhealthy: nodes.filter((n) => n.health === 'unhealthy' || n.state === 'failed').length,
        cost_per_hour: round(nodes.reduce((s, n) => s + (n.price_per_hour ?? 0), 0)),
      },
      pools,
      nodes,
      jobs: this.prev?.jobs ?? [],
      events: [...this.events],
      history,
    };
  }
}

/** A node's part in the lifecycles in flight, as the status file shows it. */
export function lifecyclePart(lifecycles: readonly InFlight[], node: string): StatusLifecycle | undefined {
  return lifecycleParts(lifecycles.filter((l) => l.old === node || l.new === node)).get(node);
}

/** The status with each node's part in `lifecycles` as they are now (the control plane's record, which moves during an apply). */
export function withLifecycles(status: FleetStatus, lifecycles: readonly InFlight[]): FleetStatus {
  const parts = lifecycleParts(lifecycles);
  return {
    ...status,
    nodes: status.nodes.map((n) => {
      const { lifecycle: _before, ...rest } = n;
      const part = parts.get(n.name);
      return part ? { ...rest, lifecycle: part } : rest;
    }),
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

interface PoolFacts {
  live: number;
  target: number;
  unhealthy: number;
  declared: boolean;
  progressing: boolean;
}

/** Conditions in Kubernetes' style; `since` only moves when a condition's status changes. */
function conditions(prev: StatusCondition[], now: string, f: PoolFacts): StatusCondition[] {
  const ready: Omit<StatusCondition, 'since'> = !f.declared
    ? { type: 'Ready', status: 'False', reason: 'Undeclared', message: 'the pool is no longer declared' }
    : f.live === f.target && f.unhealthy === 0
      ? { type: 'Ready', status: 'True', reason: 'AtTarget', message: `${f.live} of ${f.target} nodes` }
      : {
          type: 'Ready',
          status: 'False',
          reason: f.unhealthy > 0 ? 'Unhealthy' : f.live < f.target ? 'BelowTarget' : 'AboveTarget',
          message: `${f.live} of ${f.target} nodes${f.unhealthy ? `, ${f.unhealthy} unhealthy` : ''}`,
        };
  const degraded: Omit<StatusCondition, 'since'> =
    f.unhealthy > 0
      ? { type: 'Degraded', status: 'True', reason: 'UnhealthyNodes', message: `${f.unhealthy} nodes unhealthy or failed` }
      : { type: 'Degraded', status: 'False', reason: 'AllHealthy', message: 'no unhealthy nodes' };
  const progressing: Omit<StatusCondition, 'since'> = f.progressing
    ? { type: 'Progressing', status: 'True', reason: 'Applying', message: 'an apply is in progress' }
    : { type: 'Progressing', status: 'False', reason: 'Idle', message: 'no apply in progress' };
  return [ready, degraded, progressing].map((c) => {
    const before = prev.find((p) => p.type === c.type);
    return { ...c, since: before && before.status === c.status ? before.since : now };
  });
}
