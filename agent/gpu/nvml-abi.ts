/**
 * NVML's C interface as koffi needs it: the prototypes the agent binds, the struct layouts they
 * name (from nvml.h: `nvmlPciInfo_t` v3, `nvmlMemory_t` v1 and v2, `nvmlUtilization_t`), the return codes
 * it treats specially, and the enum values it passes.
 */
/** nvmlReturn_t values the agent treats specially. */
export const NVML_SUCCESS = 0;
export const NVML_ERROR_INVALID_ARGUMENT = 2;
export const NVML_ERROR_NOT_SUPPORTED = 3;
export const NVML_ERROR_INSUFFICIENT_SIZE = 7;
export const NVML_ERROR_FUNCTION_NOT_FOUND = 13;
export const NVML_ERROR_GPU_IS_LOST = 15;
/** nvml.h NVML_NVLINK_MAX_LINKS (18 since Hopper). */
export const NVML_NVLINK_MAX_LINKS = 18;

/** Told before and after every native call, so a hung call can be named from another thread. */
export interface CallTracker {
  enter(call: string, gpu: number): void;
  leave(): void;
}

/** A call NVML answered with an error. */
export class NvmlCallError extends Error {
  constructor(
    readonly call: string,
    readonly code: number,
    readonly text: string,
    readonly gpu?: number,
  ) {
    super(`${call}${gpu === undefined ? '' : ` (GPU ${gpu})`}: ${text} (${code})`);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- koffi functions are untyped by nature */
export type Fn = (...args: any[]) => number;

/** Prototypes in koffi's C-like syntax; `nvmlDevice` is an opaque pointer type declared below. */
export const PROTOTYPES = {
  nvmlInit_v2: 'int nvmlInit_v2()',
  nvmlShutdown: 'int nvmlShutdown()',
  nvmlSystemGetDriverVersion: 'int nvmlSystemGetDriverVersion(_Out_ char *version, unsigned int length)',
  nvmlSystemGetCudaDriverVersion: 'int nvmlSystemGetCudaDriverVersion(_Out_ int *version)',
  nvmlDeviceGetCount_v2: 'int nvmlDeviceGetCount_v2(_Out_ unsigned int *count)',
  nvmlDeviceGetHandleByIndex_v2: 'int nvmlDeviceGetHandleByIndex_v2(unsigned int index, _Out_ nvmlDevice *device)',
  nvmlDeviceGetName: 'int nvmlDeviceGetName(nvmlDevice device, _Out_ char *name, unsigned int length)',
  nvmlDeviceGetUUID: 'int nvmlDeviceGetUUID(nvmlDevice device, _Out_ char *uuid, unsigned int length)',
  nvmlDeviceGetPciInfo_v3: 'int nvmlDeviceGetPciInfo_v3(nvmlDevice device, _Out_ nvmlPciInfo_t *pci)',
  nvmlDeviceGetMemoryInfo: 'int nvmlDeviceGetMemoryInfo(nvmlDevice device, _Out_ nvmlMemory_t *memory)',
  nvmlDeviceGetMemoryInfo_v2: 'int nvmlDeviceGetMemoryInfo_v2(nvmlDevice device, _Inout_ nvmlMemory_v2_t *memory)',
  nvmlDeviceGetTemperature: 'int nvmlDeviceGetTemperature(nvmlDevice device, int sensorType, _Out_ unsigned int *temp)',
  nvmlDeviceGetPowerUsage: 'int nvmlDeviceGetPowerUsage(nvmlDevice device, _Out_ unsigned int *milliwatts)',
  nvmlDeviceGetUtilizationRates: 'int nvmlDeviceGetUtilizationRates(nvmlDevice device, _Out_ nvmlUtilization_t *utilization)',
  nvmlDeviceGetTotalEccErrors:
    'int nvmlDeviceGetTotalEccErrors(nvmlDevice device, int errorType, int counterType, _Out_ unsigned long long *eccCounts)',
  nvmlDeviceGetRemappedRows:
    'int nvmlDeviceGetRemappedRows(nvmlDevice device, _Out_ unsigned int *corrRows, _Out_ unsigned int *uncRows, _Out_ unsigned int *isPending, _Out_ unsigned int *failureOccurred)',
  nvmlDeviceGetRetiredPages:
    'int nvmlDeviceGetRetiredPages(nvmlDevice device, int cause, _Inout_ unsigned int *pageCount, unsigned long long *addresses)',
  nvmlDeviceGetRetiredPagesPendingStatus: 'int nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice device, _Out_ int *isPending)',
  nvmlDeviceGetCurrentClocksEventReasons:
    'int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice device, _Out_ unsigned long long *reasons)',
  nvmlDeviceGetCurrentClocksThrottleReasons:
    'int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice device, _Out_ unsigned long long *reasons)',
  nvmlDeviceGetNvLinkState: 'int nvmlDeviceGetNvLinkState(nvmlDevice device, unsigned int link, _Out_ int *isActive)',
} as const;

export type CallName = keyof typeof PROTOTYPES;

/** nvml.h buffer sizes. */
export const NAME_BUFFER = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE
export const UUID_BUFFER = 96; // NVML_DEVICE_UUID_V2_BUFFER_SIZE
export const DRIVER_BUFFER = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
export const NVML_TEMPERATURE_GPU = 0;
export const MEMORY_ERROR_CORRECTED = 0;
export const MEMORY_ERROR_UNCORRECTED = 1;
export const VOLATILE_ECC = 0;
export const AGGREGATE_ECC = 1;
export const RETIRED_SINGLE_BIT = 0; // NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS
export const RETIRED_DOUBLE_BIT = 1; // NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR
export const MIB = 1024 * 1024;
/**
 * nvml.h `nvmlMemory_v2`: NVML_STRUCT_VERSION(Memory, 2) = sizeof(nvmlMemory_v2_t) | 2 << 24, the
 * struct being 40 bytes (an unsigned int, padding, four unsigned long longs).
 */
export const NVML_MEMORY_V2_VERSION = (40 | (2 << 24)) >>> 0;

export interface Koffi {
  load(path: string): { func(proto: string): Fn };
  struct(name: string, def: Record<string, string>): unknown;
  opaque(name: string): unknown;
  pointer(name: string, ref: unknown): unknown;
}

/** The struct and pointer types the prototypes name; declared once per process (koffi names are global). */
let declared = false;
export function declareTypes(koffi: Koffi): void {
  if (declared) return;
  koffi.pointer('nvmlDevice', koffi.opaque('nvmlDevice_st'));
  koffi.struct('nvmlPciInfo_t', {
    busIdLegacy: 'char[16]',
    domain: 'unsigned int',
    bus: 'unsigned int',
    device: 'unsigned int',
    pciDeviceId: 'unsigned int',
    pciSubSystemId: 'unsigned int',
    busId: 'char[32]',
  });
  koffi.struct('nvmlMemory_t', { total: 'unsigned long long', free: 'unsigned long long', used: 'unsigned long long' });
  koffi.struct('nvmlMemory_v2_t', {
    version: 'unsigned int',
    total: 'unsigned long long',
    reserved: 'unsigned long long',
    free: 'unsigned long long',
    used: 'unsigned long long',
  });
  koffi.struct('nvmlUtilization_t', { gpu: 'unsigned int', memory: 'unsigned int' });
  declared = true;
}

