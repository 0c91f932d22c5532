/**
 * The status file (`status/fleet.yaml`): machine-written, human-read. Field names are snake_case
 * because people read it as YAML next to the files they wrote.
 */
import type { ActionKind } from './plan.js';
import type { HealthState } from './observed.js';
import type { InstanceState } from './instance.js';

export const STATUS_VERSION = 1;

export interface StatusNode {
  name: string;
  pool: string;
  provider: string;
  region: string;
  zone?: string;
  instance_type: string;
  instance_id: string;
  spot: boolean;
  state: InstanceState;
  health: HealthState;
  health_reason?: string;
  cordoned?: boolean;
  /** When the node entered its current state. */
  since: string;
  price_per_hour?: number;
  /** How this node came to be where it is, when apply had to fail over. */
  placement_note?: string;
  /** When the instance was launched (the cloud's word, else when navarch created it). */
  launched_at?: string;
  private_ip?: string;
  public_ip?: string;
  /** The node agent's version, as it registered (the control plane writes this). */
  agent_version?: string;
  /** When the control plane last heard from the node's agent. */
  last_seen?: string;
  /** The GPUs as the node's agent reported them; absent until an agent has registered. */
  gpu_health?: StatusGpuHealth;
  /** The replacement (or removal) in flight that owns this node: no plan gives it another action. */
  lifecycle?: StatusLifecycle;
}

/** How a node's GPUs are, from its agent's reports. */
export interface StatusGpuHealth {
  /** GPUs the agent found. */
  gpus: number;
  /** GPUs with nothing wrong. */
  healthy: number;
  /** The GPUs that are not well, each with what is wrong (`XID 48`), by GPU index. */
  faults?: Array<{ gpu: number; reason: string }>;
}

/** A node's part in a lifecycle in flight, as the status file shows it. */
export interface StatusLifecycle {
  /** The lifecycle (`replace:train-3`). */
  id: string;
  /** `old`: the node being taken away; `new`: the node replacing `peer`. */
  role: 'old' | 'new';
  /** The node on the other side; absent for a removal. */
  peer?: string;
  /** Its step: started, waiting, terminating, creating (or done, failed: its clean-up still owed). */
  state: string;
  since: string;
  /** Health-driven (counts against the disruption budget). */
  health: boolean;
  waiting_for?: string;
}

export interface StatusCondition {
  type: 'Ready' | 'Degraded' | 'Progressing' | 'Drifted' | 'RemediationHalted';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  since: string;
}

export interface StatusPool {
  target: number;
  min_nodes: number;
  max_nodes: number;
  nodes: number;
  healthy: number;
  last_ordinal: number;
  protect: boolean;
  cost_per_hour: number;
  conditions: StatusCondition[];
  /** The pool document as last applied: the base of the next plan's JSON Patch. */
  applied?: Record<string, unknown>;
}

export interface StatusEvent {
  time: string;
  action: ActionKind | 'failover';
  pool: string;
  node: string;
  /** `started`: navarch serve started a replacement or removal; its outcome is a later event. */
  result: 'ok' | 'failed' | 'skipped' | 'started';
  message: string;
}

export interface StatusHistoryEntry {
  time: string;
  desired_commit: string | null;
  desired_digest: string;
  summary: string;
  result: 'applied' | 'no-changes' | 'partial' | 'failed';
  actions: number;
}

export interface FleetStatus {
  version: typeof STATUS_VERSION;
  fleet: string;
  updated_at: string;
  /** The desired state this status reflects (observed generation = desired commit). */
  desired: { commit: string | null; digest: string };
  summary: { nodes: number; healthy: number; unhealthy: number; cost_per_hour: number };
  pools: Record<string, StatusPool>;
  nodes: StatusNode[];
  jobs: Array<{ name: string; state: string; since: string }>;
  /** Recent events of the last applies (bounded). */
  events: StatusEvent[];
  /** The last reconciles, newest first (bounded by `history_limit`). */
  history: StatusHistoryEntry[];
}
