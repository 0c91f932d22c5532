/**
 * The node agent's HTTP API, as bodies on the wire (JSON). The control plane validates them against
 * `schemas/agent-*.schema.json`; the agent imports these types only (no runtime code), so it stays
 * independent of the server. Times are ISO-8601 strings.
 */

/** One GPU as the agent found it at start. */
export interface AgentGpu {
  index: number;
  uuid: string;
  /** PCI bus id as NVML prints it, e.g. `00000000:3B:00.0`. */
  pciBusId: string;
  /** Marketing name, e.g. `NVIDIA H100 80GB HBM3`. */
  name: string;
  memoryMiB: number;
  driverVersion?: string;
  cudaVersion?: string;
}

export interface AgentHost {
  hostname: string;
  kernel?: string;
  os?: string;
  cpus?: number;
  memoryMiB?: number;
  agentVersion: string;
  /** Changes on every boot (Linux `/proc/sys/kernel/random/boot_id`); separates reports of two boots. */
  bootId?: string;
}

/** A check's outcome: boot checks at start, periodic checks after. */
export interface CheckResult {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  message: string;
}

/** POST /v1/nodes/{id}/register */
export interface RegisterRequest {
  provider: string;
  instanceId: string;
  pool?: string;
  instanceType?: string;
  region?: string;
  zone?: string;
  gpus: AgentGpu[];
  host: AgentHost;
  /** Boot checks run before the node counts as capacity; a failing one keeps it out. */
  bootChecks: CheckResult[];
}

export interface RegisterResponse {
  nodeId: string;
  /** Intervals the control plane wants, in seconds. */
  heartbeatIntervalSec: number;
  healthIntervalSec: number;
  commandPollIntervalSec: number;
}

export interface GpuSample {
  index: number;
  temperatureC?: number;
  powerW?: number;
  utilizationPct?: number;
  memoryUsedMiB?: number;
  memoryTotalMiB?: number;
}

/** POST /v1/nodes/{id}/heartbeat */
export interface HeartbeatRequest {
  /** Monotonic per agent process; lets the server ignore replays and reordering. */
  seq: number;
  time: string;
  gpus: GpuSample[];
  host: { cpuPct?: number; memoryUsedMiB?: number; memoryTotalMiB?: number; load1?: number };
}

export type CommandKind = 'cordon' | 'uncordon' | 'drain' | 'terminate-self' | 'run-diagnostic';

export interface NodeCommand {
  id: string;
  kind: CommandKind;
  issuedAt: string;
  reason?: string;
  params?: Record<string, unknown>;
}

export interface HeartbeatResponse {
  /** Commands waiting for this node (not yet acknowledged). */
  commands: NodeCommand[];
}

/** POST /v1/nodes/{id}/commands/{commandId}/ack */
export interface CommandAck {
  result: 'ok' | 'failed' | 'rejected';
  message?: string;
  details?: Record<string, unknown>;
}

/** Something the hardware or the cloud said. Each carries when the agent saw it. */
export type HealthEvent =
  | { kind: 'xid'; time: string; xid: number; gpu?: number; pci?: string; message: string }
  | {
      kind: 'ecc';
      time: string;
      gpu: number;
      volatileCorrected: number;
      volatileUncorrected: number;
      aggregateCorrected: number;
      aggregateUncorrected: number;
    }
  | { kind: 'remapped-rows'; time: string; gpu: number; correctable: number; uncorrectable: number; pending: boolean; failure: boolean }
  | { kind: 'retired-pages'; time: string; gpu: number; singleBit: number; doubleBit: number; pending: boolean }
  | { kind: 'thermal'; time: string; gpu: number; temperatureC: number; throttleReasons: string[] }
  | { kind: 'nvlink'; time: string; gpu: number; link: number; state: 'up' | 'down'; errors?: number }
  | { kind: 'nvml-failure'; time: string; gpu?: number; call: string; error: string }
  | {
      kind: 'preemption';
      time: string;
      cloud: 'aws' | 'gcp';
      /** AWS: terminate | stop | hibernate; GCP: preempted; either: rebalance (a recommendation, not a notice). */
      action: 'terminate' | 'stop' | 'hibernate' | 'preempted' | 'rebalance';
      /** When the cloud will act, when it says. */
      at?: string;
    }
  | { kind: 'diagnostic'; time: string; level: number; passed: boolean; message: string };

/** POST /v1/nodes/{id}/health */
export interface HealthReport {
  /** Unique per report (`<bootId>-<seq>`): a replayed report is stored once. */
  id: string;
  seq: number;
  time: string;
  checks: CheckResult[];
  events: HealthEvent[];
}

export interface HealthReportResponse {
  /** False when the server had already stored this report id (a replay). */
  stored: boolean;
}
