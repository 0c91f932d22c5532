/**
 * Observed state is rebuilt, not trusted: every run lists each provider's instances carrying this
 * fleet's tags, then joins what the cloud cannot know (health, cordons, names ever used) from the
 * status file and the control plane's store.
 */
import {
  MANAGED_BY_VALUE,
  retry,
  TAG,
  type Clock,
  type DesiredFleet,
  type FleetStatus,
  type Instance,
  type ObservationGap,
  type ObservedFleet,
  type ObservedNode,
  type ObservedPool,
  type InFlight,
  type NodeFacts,
  type StatusNode,
} from '../model/index.js';
import type { Provider } from '../providers/index.js';
import { labelsOf, ordinalOf } from '../status/index.js';

export interface ObserveInput {
  desired: DesiredFleet;
  providers: ReadonlyMap<string, Provider>;
  status: FleetStatus | undefined;
  clock: Clock;
  facts?: ReadonlyMap<string, NodeFacts>;
  signal?: AbortSignal;
}

export interface Observation {
  observed: ObservedFleet;
  /** Every listed instance by cloud id (apply needs the provider's own view). */
  instances: Map<string, Instance>;
}

/** An instance as a node of the observed fleet, with what the status file recorded about it. */
export function observedNode(inst: Instance, before: StatusNode | undefined): ObservedNode {
  const name = inst.tags[TAG.node] ?? '';
  const pool = inst.tags[TAG.pool] ?? '';
  return {
    name,
    pool,
    ordinal: ordinalOf(name, pool),
    provider: inst.provider,
    region: inst.region,
    zone: inst.zone,
    instanceType: inst.instanceType,
    instanceId: inst.id,
    spot: inst.spot,
    state: inst.state,
    labels: labelsOf(inst.tags),
    health: before?.health ?? 'unknown',
    healthReason: before?.health_reason,
    cordoned: before?.cordoned ?? false,
    since: before && before.state === inst.state ? before.since : undefined,
    launchedAt: inst.launchedAt,
    privateIp: inst.privateIp,
    publicIp: inst.publicIp,
  };
}

/** The tags that select this fleet's instances on every provider. */
export function fleetFilter(fleet: string): { tags: Record<string, string> } {
  return { tags: { [TAG.managedBy]: MANAGED_BY_VALUE, [TAG.fleet]: fleet } };
}

export async function observe(input: ObserveInput): Promise<Observation> {
  const { desired, status, clock } = input;
  const gaps: ObservationGap[] = [];
  const instances = new Map<string, Instance>();
  const filter = fleetFilter(desired.fleet);

  const names = [...input.providers.keys()].sort();
  const listed = await Promise.all(
    names.map(async (name) => {
      const provider = input.providers.get(name) as Provider;
      try {
        const list = await retry(() => provider.list(filter, input.signal), {
          clock,
          attempts: 3,
          baseMs: 500,
          maxMs: 5_000,
          signal: input.signal,
        });
        return { name, list };
      } catch (err) {
        gaps.push({ provider: name, reason: err instanceof Error ? err.message : String(err) });
        return { name, list: [] as Instance[] };
      }
    }),
  );

  // Nodes recorded on a provider no longer declared cannot be seen: say so instead of forgetting them.
  const undeclared = new Map<string, number>();
  for (const n of status?.nodes ?? []) {
    if (!input.providers.has(n.provider)) undeclared.set(n.provider, (undeclared.get(n.provider) ?? 0) + 1);
  }
  for (const [provider, count] of [...undeclared].sort()) {
    gaps.push({ provider, reason: `no longer declared in navarch.yaml; ${count} recorded node(s) on it cannot be observed` });
  }
  // The pools recorded on a provider that was not seen are frozen by plan, wherever they are placed now.
  for (const g of gaps) {
    const pools = new Set((status?.nodes ?? []).filter((n) => n.provider === g.provider && n.pool !== '').map((n) => n.pool));
    if (pools.size > 0) g.pools = [...pools].sort();
  }
  gaps.sort((a, b) => a.provider.localeCompare(b.provider));

  const recorded = new Map((status?.nodes ?? []).map((n) => [n.instance_id, n]));
  const nodes: ObservedNode[] = [];
  for (const { list } of listed) {
    for (const inst of list) {
      if (inst.state === 'terminated') continue;
      instances.set(inst.id, inst);
      nodes.push(observedNode(inst, recorded.get(inst.id)));
    }
  }
  nodes.sort((a, b) => a.name.localeCompare(b.name) || a.instanceId.localeCompare(b.instanceId));

  const pools: Record<string, ObservedPool> = {};
  for (const [name, p] of Object.entries(status?.pools ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    pools[name] = { name, lastOrdinal: p.last_ordinal, protect: p.protect, applied: p.applied };
  }
  const fleet: ObservedFleet = { nodes, pools, gaps };
  const lifecycles = recordedLifecycles(status, nodes);
  if (lifecycles.length > 0) fleet.lifecycles = lifecycles;
  return { observed: input.facts ? joinFacts(fleet, input.facts) : fleet, instances };
}

/**
 * The observed fleet with the control plane's facts in place of what the status file remembered:
 * the one place they are joined, whether they come from the store (`navarch serve`) or from a
 * control plane's API.
 */
export function joinFacts(observed: ObservedFleet, facts: ReadonlyMap<string, NodeFacts>): ObservedFleet {
  return {
    ...observed,
    nodes: observed.nodes.map((n) => {
      const f = n.name ? facts.get(n.name) : undefined;
      return f ? { ...n, health: f.health, healthReason: f.reason, cordoned: f.cordoned } : n;
    }),
  };
}

/**
 * The lifecycles the status file records on nodes still listed. A plan made anywhere (a pull
 * request, `navarch apply`, another control plane) leaves their nodes to the control plane that is
 * carrying them out.
 */
function recordedLifecycles(status: FleetStatus | undefined, listed: readonly ObservedNode[]): InFlight[] {
  const ids = new Set(listed.map((n) => n.instanceId));
  const byId = new Map<string, InFlight>();
  for (const n of status?.nodes ?? []) {
    const l = n.lifecycle;
    if (!l || !ids.has(n.instance_id)) continue;
    const known = byId.get(l.id);
    const old = l.role === 'old' ? n.name : (known?.old ?? l.peer ?? '');
    const next = l.role === 'new' ? n.name : (known?.new ?? l.peer);
    byId.set(l.id, { id: l.id, pool: n.pool, old, new: next, health: l.health, state: l.state, since: l.since, waitingFor: l.waiting_for });
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The observed fleet with the control plane's lifecycles in flight: its own (`inFlight`), and those
 * the status file records that it does not know of (`known`: every id in its store, finished or not).
 */
export function joinLifecycles(observed: ObservedFleet, inFlight: readonly InFlight[], known: ReadonlySet<string>): ObservedFleet {
  const recorded = (observed.lifecycles ?? []).filter((l) => !known.has(l.id));
  const lifecycles = [...inFlight, ...recorded];
  const { lifecycles: _before, ...rest } = observed;
  return lifecycles.length > 0 ? { ...rest, lifecycles } : rest;
}
