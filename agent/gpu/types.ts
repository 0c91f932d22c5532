/**
 * What the agent reads from the GPUs, whatever the source (NVML, nvidia-smi, the fake). A value the
 * hardware does not support is absent; a call that failed is listed in `failures`, never dropped,
 * because a failing read is itself a health signal (fail closed).
 */
import type { AgentGpu, GpuSample } from '../../src/model/index.js';

export type GpuSourceKind = 'nvml' | 'nvidia-smi' | 'fake';

/** One failed read: which call, on which GPU when it was a per-GPU call, and what it said. */
export interface GpuFailure {
  gpu?: number;
  call: string;
  error: string;
}

/** The GPUs as found at start. */
export interface GpuInventory {
  source: GpuSourceKind;
  driverVersion?: string;
  cudaVersion?: string;
  gpus: AgentGpu[];
  failures: GpuFailure[];
}

export interface EccCounts {
  volatileCorrected: number;
  volatileUncorrected: number;
  aggregateCorrected: number;
  aggregateUncorrected: number;
}

/** Row remapping (Ampere and later). */
export interface RemappedRows {
  correctable: number;
  uncorrectable: number;
  /** A remap waits for a GPU reset to take effect. */
  pending: boolean;
  /** A remap could not be made: the GPU is out of spare rows. */
  failure: boolean;
}

/** Page retirement (before Ampere). */
export interface RetiredPages {
  singleBit: number;
  doubleBit: number;
  pending: boolean;
}

export interface NvLinkState {
  link: number;
  up: boolean;
}

/** One GPU's readings at one moment: what a heartbeat carries, and what health checks read. */
export interface GpuReading extends GpuSample {
  ecc?: EccCounts;
  remappedRows?: RemappedRows;
  retiredPages?: RetiredPages;
  /** Active clock-event (throttle) reasons by NVML name, e.g. `HwThermalSlowdown`. */
  throttleReasons?: string[];
  /** Only for GPUs that have NVLink. */
  nvlinks?: NvLinkState[];
}

/** Every GPU's readings at one moment, and the reads that failed. */
export interface GpuSnapshot {
  /** Milliseconds since the epoch, from the agent's clock. */
  time: number;
  gpus: GpuReading[];
  failures: GpuFailure[];
  /** Set when the read as a whole failed (threw or timed out): no GPU was read, none is known missing. */
  incomplete?: true;
}

/** A way to read the GPUs. Both methods may throw (the source is unusable) or hang (see `guard.ts`). */
export interface GpuSource {
  readonly kind: GpuSourceKind;
  inventory(): Promise<GpuInventory>;
  sample(): Promise<GpuSnapshot>;
  close(): Promise<void>;
}

/** Clock-event reason bits (nvml.h `nvmlClocksEventReason*`), by the names NVML gives them. */
export const CLOCK_EVENT_REASONS: ReadonlyArray<readonly [bigint, string]> = [
  [0x1n, 'GpuIdle'],
  [0x2n, 'ApplicationsClocksSetting'],
  [0x4n, 'SwPowerCap'],
  [0x8n, 'HwSlowdown'],
  [0x10n, 'SyncBoost'],
  [0x20n, 'SwThermalSlowdown'],
  [0x40n, 'HwThermalSlowdown'],
  [0x80n, 'HwPowerBrakeSlowdown'],
  [0x100n, 'DisplayClockSetting'],
];

/** Names of the reasons set in an NVML clock-event bitmask. */
export function clockEventReasons(mask: bigint): string[] {
  return CLOCK_EVENT_REASONS.filter(([bit]) => (mask & bit) !== 0n).map(([, name]) => name);
}

/** Reasons that mean the hardware is protecting itself, not that the GPU is idle or capped by policy. */
export const THERMAL_REASONS: ReadonlySet<string> = new Set(['HwSlowdown', 'SwThermalSlowdown', 'HwThermalSlowdown', 'HwPowerBrakeSlowdown']);
