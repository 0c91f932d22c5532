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
  result: 'ok' | 'failed' | 'skipped';
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
