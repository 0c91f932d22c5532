/** The observed state: what exists, rebuilt on every run from the providers plus the status file and store. */
import type { InstanceState } from './instance.js';

/** Health as the control plane judges it. `unknown` until an agent has reported. */
export type HealthState = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** A machine navarch manages (or found carrying its tags). */
export interface ObservedNode {
  /** Deterministic node name, `<pool>-<ordinal>`. */
  name: string;
  /** Pool named by the instance's tag. */
  pool: string;
  /** Per-pool sequence number parsed from the name; -1 when the name does not follow the scheme. */
  ordinal: number;
  provider: string;
  region: string;
  zone: string | undefined;
  instanceType: string;
  instanceId: string;
  spot: boolean;
  state: InstanceState;
  /** User labels (instance tags minus navarch's own). */
  labels: Record<string, string>;
  health: HealthState;
  /** Why the node is not healthy, in words an operator can act on. */
  healthReason: string | undefined;
  cordoned: boolean;
  /** When the node entered its current state (ISO-8601), from the status file or the cloud. */
  since: string | undefined;
  launchedAt: string | undefined;
  privateIp?: string | undefined;
  publicIp?: string | undefined;
}

/**
 * What the control plane knows of a node that the cloud does not (keyed by node name): its health
 * as the planner may act on it (after the circuit breaker), why, and whether it is cordoned.
 */
export interface NodeFacts {
  health: HealthState;
  reason: string | undefined;
  cordoned: boolean;
}

/** What the last status file recorded about a pool, for things the cloud cannot tell. */
export interface ObservedPool {
  name: string;
  /** Highest ordinal ever used in this pool; names are never reused. */
  lastOrdinal: number;
  protect: boolean;
  /** The pool document as last applied, for JSON Patch diffs. */
  applied: Record<string, unknown> | undefined;
}

/** A provider that could not be listed: its nodes are unknown, so plan must not act as if they were gone. */
export interface ObservationGap {
  provider: string;
  reason: string;
  /** Pools the status file records nodes of on this provider: plan freezes them too, wherever they are placed now. */
  pools?: string[];
}

/**
 * A lifecycle in flight that owns nodes of a pool: a replacement (or a removal) the control plane is
 * carrying out over several passes. The planner gives its nodes no other action, counts its new node
 * toward the pool's target from the start, and counts it against the disruption budget until it is
 * done.
 */
export interface InFlight {
  /** The lifecycle's id (the action that started it: `replace:train-3`). */
  id: string;
  pool: string;
  /** The node being taken away. */
  old: string;
  /** The node replacing it (absent for a removal): its name is taken even before it exists. */
  new: string | undefined;
  /** Health-driven: counts against the pool's disruption budget. */
  health: boolean;
  /** Its step (`waiting`, `terminating`, ...). */
  state: string;
  /** When it entered that step (ISO-8601). */
  since: string;
  /** What it waits for, in words. */
  waitingFor: string | undefined;
}

/** Everything `plan` needs to know about the world. */
export interface ObservedFleet {
  /** Instances carrying this fleet's tags, excluding terminated ones. Sorted by name, then instance id. */
  nodes: ObservedNode[];
  pools: Record<string, ObservedPool>;
  /** Providers that failed to answer; plan refuses to create or destroy in their pools. */
  gaps: ObservationGap[];
  /** Replacements and removals in flight (the control plane's store, or the status file's record of them). */
  lifecycles?: InFlight[];
}
