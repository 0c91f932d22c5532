/** Messages between the agent and its NVML sampling thread. */
import type { GpuFailure, GpuInventory, GpuReading } from './types.js';

/** Every native call the binding makes, in a fixed order: the shared-memory slot holds index + 1. */
export const CALL_NAMES = [
  'nvmlInit_v2',
  'nvmlShutdown',
  'nvmlSystemGetDriverVersion',
  'nvmlSystemGetCudaDriverVersion',
  'nvmlDeviceGetCount_v2',
  'nvmlDeviceGetHandleByIndex_v2',
  'nvmlDeviceGetName',
  'nvmlDeviceGetUUID',
  'nvmlDeviceGetPciInfo_v3',
  'nvmlDeviceGetMemoryInfo',
  'nvmlDeviceGetTemperature',
  'nvmlDeviceGetPowerUsage',
  'nvmlDeviceGetUtilizationRates',
  'nvmlDeviceGetTotalEccErrors',
  'nvmlDeviceGetRemappedRows',
  'nvmlDeviceGetRetiredPages',
  'nvmlDeviceGetRetiredPagesPendingStatus',
  'nvmlDeviceGetCurrentClocksEventReasons',
  'nvmlDeviceGetCurrentClocksThrottleReasons',
  'nvmlDeviceGetNvLinkState',
  'nvmlDeviceGetMemoryInfo_v2',
] as const;

export interface WorkerSetup {
  libPath: string;
  /** Two Int32 slots: [call index + 1 (0: none), GPU index (-1: system call)]. */
  shared: SharedArrayBuffer;
}

export type WorkerRequest = { id: number; op: 'inventory' | 'sample' | 'close' };

export type WorkerReply =
  | { id: number; ok: true; result: GpuInventory | { gpus: GpuReading[]; failures: GpuFailure[] } | null }
  | { id: number; ok: false; error: string; call: string; code?: number };
