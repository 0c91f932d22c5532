/**
 * NVML through koffi: the C calls the agent makes, bound to `libnvidia-ml.so.1`. Calls are
 * synchronous and may block inside the driver, so this module is only ever loaded inside the
 * sampling worker (`nvml-worker.ts`); the agent's main thread never touches koffi.
 *
 * The C interface itself is in nvml-abi.ts. NOT_SUPPORTED and a missing symbol mean "this GPU or driver does not have it" (the value is
 * absent); every other error is a failure the caller reports.
 */
import type { AgentGpu } from '../../src/model/index.js';
import {
  AGGREGATE_ECC,
  declareTypes,
  DRIVER_BUFFER,
  MEMORY_ERROR_CORRECTED,
  MEMORY_ERROR_UNCORRECTED,
  MIB,
  NAME_BUFFER,
  NVML_ERROR_FUNCTION_NOT_FOUND,
  NVML_ERROR_GPU_IS_LOST,
  NVML_ERROR_INSUFFICIENT_SIZE,
  NVML_ERROR_INVALID_ARGUMENT,
  NVML_ERROR_NOT_SUPPORTED,
  NVML_MEMORY_V2_VERSION,
  NVML_NVLINK_MAX_LINKS,
  NVML_SUCCESS,
  NVML_TEMPERATURE_GPU,
  NvmlCallError,
  PROTOTYPES,
  RETIRED_DOUBLE_BIT,
  RETIRED_SINGLE_BIT,
  UUID_BUFFER,
  VOLATILE_ECC,
  type CallName,
  type CallTracker,
  type Fn,
  type Koffi,
} from './nvml-abi.js';
import { clockEventReasons, type GpuFailure, type GpuInventory, type GpuReading, type NvLinkState } from './types.js';

export { NvmlCallError, type CallTracker } from './nvml-abi.js';

/** Loads NVML from `libPath` and initialises it. Throws NvmlCallError when init fails, Error when the library cannot load. */
export async function openNvml(libPath: string, tracker?: CallTracker): Promise<Nvml> {
  let mod: { default: Koffi };
  try {
    mod = (await import('koffi')) as unknown as { default: Koffi };
  } catch (err) {
    throw new Error(`koffi (the FFI module NVML is read through) cannot load on this machine: ${err instanceof Error ? err.message : String(err)}`);
  }
  const koffi = mod.default;
  declareTypes(koffi);
  const lib = koffi.load(libPath);
  const fns = new Map<CallName, Fn>();
  for (const [name, proto] of Object.entries(PROTOTYPES) as Array<[CallName, string]>) {
    try {
      fns.set(name, lib.func(proto));
    } catch {
      // An older driver lacks newer symbols (e.g. ClocksEventReasons before R535): that reading is absent.
    }
  }
  let errorString: ((code: number) => string) | undefined;
  try {
    errorString = lib.func('const char *nvmlErrorString(int result)') as unknown as (code: number) => string;
  } catch {
    // without it errors are shown by number
  }
  const nvml = new Nvml(fns, errorString, tracker);
  nvml.init();
  return nvml;
}

/** An initialised NVML. Not thread-safe in JS terms: one caller at a time (the worker). */
export class Nvml {
  constructor(
    private readonly fns: Map<CallName, Fn>,
    private readonly errorString: ((code: number) => string) | undefined,
    private readonly tracker: CallTracker | undefined,
  ) {}

  /** NVML's own words for an error code. */
  private errorText(code: number): string {
    try {
      return this.errorString?.(code) ?? `NVML error ${code}`;
    } catch {
      return `NVML error ${code}`;
    }
  }

  /** Calls `name`; returns NVML's code. Throws NvmlCallError(FUNCTION_NOT_FOUND) when the symbol is absent. */
  private call(name: CallName, gpu: number, ...args: unknown[]): number {
    const fn = this.fns.get(name);
    if (!fn) throw new NvmlCallError(name, NVML_ERROR_FUNCTION_NOT_FOUND, 'Function Not Found', gpu < 0 ? undefined : gpu);
    this.tracker?.enter(name, gpu);
    try {
      return fn(...args);
    } finally {
      this.tracker?.leave();
    }
  }

  /** Calls `name` and throws on any error but NOT_SUPPORTED / a missing symbol, for which it returns false. */
  private need(name: CallName, gpu: number, ...args: unknown[]): boolean {
    let code: number;
    try {
      code = this.call(name, gpu, ...args);
    } catch (err) {
      if (err instanceof NvmlCallError && err.code === NVML_ERROR_FUNCTION_NOT_FOUND) return false;
      throw err;
    }
    if (code === NVML_SUCCESS) return true;
    if (code === NVML_ERROR_NOT_SUPPORTED) return false;
    throw new NvmlCallError(name, code, this.errorText(code), gpu < 0 ? undefined : gpu);
  }

  init(): void {
    const code = this.call('nvmlInit_v2', -1);
    if (code !== NVML_SUCCESS) throw new NvmlCallError('nvmlInit_v2', code, this.errorText(code));
  }

  shutdown(): void {
    try {
      this.call('nvmlShutdown', -1);
    } catch {
      // shutting down: nothing to report to
    }
  }

  deviceCount(): number {
    const out = [0];
    this.need('nvmlDeviceGetCount_v2', -1, out);
    return out[0] ?? 0;
  }

  private handle(index: number): unknown {
    const out: unknown[] = [null];
    this.need('nvmlDeviceGetHandleByIndex_v2', index, index, out);
    return out[0];
  }

  private text(name: 'nvmlDeviceGetName' | 'nvmlDeviceGetUUID', gpu: number, device: unknown, size: number): string | undefined {
    const out = ['\0'.repeat(size)];
    if (!this.need(name, gpu, device, out, size)) return undefined;
    return cString(out[0] ?? '');
  }

  /** The GPUs, with driver and CUDA versions. Per-GPU failures are collected, not thrown. */
  inventory(): GpuInventory {
    const failures: GpuFailure[] = [];
    const inv: GpuInventory = { source: 'nvml', gpus: [], failures };
    const driver = ['\0'.repeat(DRIVER_BUFFER)];
    attempt(failures, undefined, () => {
      if (this.need('nvmlSystemGetDriverVersion', -1, driver, DRIVER_BUFFER)) inv.driverVersion = cString(driver[0] ?? '');
    });
    attempt(failures, undefined, () => {
      const cuda = [0];
      if (this.need('nvmlSystemGetCudaDriverVersion', -1, cuda)) inv.cudaVersion = cudaVersionText(cuda[0] ?? 0);
    });
    const count = this.deviceCount();
    for (let i = 0; i < count; i++) {
      attempt(failures, i, () => {
        const device = this.handle(i);
        const pci: { busId?: string } = {};
        this.need('nvmlDeviceGetPciInfo_v3', i, device, pci);
        const mem: { total?: number | bigint } = {};
        this.need('nvmlDeviceGetMemoryInfo', i, device, mem);
        const gpu: AgentGpu = {
          index: i,
          uuid: this.text('nvmlDeviceGetUUID', i, device, UUID_BUFFER) ?? '',
          pciBusId: cString(pci.busId ?? ''),
          name: this.text('nvmlDeviceGetName', i, device, NAME_BUFFER) ?? '',
          memoryMiB: Math.round(Number(mem.total ?? 0) / MIB),
        };
        if (inv.driverVersion) gpu.driverVersion = inv.driverVersion;
        if (inv.cudaVersion) gpu.cudaVersion = inv.cudaVersion;
        inv.gpus.push(gpu);
      });
    }
    return inv;
  }

  /** Every GPU's readings. A GPU that is lost stops being read after its first failure. */
  sample(): { gpus: GpuReading[]; failures: GpuFailure[] } {
    const failures: GpuFailure[] = [];
    const gpus: GpuReading[] = [];
    const count = this.deviceCount();
    for (let i = 0; i < count; i++) {
      let device: unknown;
      if (!attempt(failures, i, () => (device = this.handle(i)))) continue;
      const r: GpuReading = { index: i };
      gpus.push(r);
      const reads: Array<() => void> = [
        () => this.readMemory(device, i, r),
        () => this.readTemperature(device, i, r),
        () => this.readPower(device, i, r),
        () => this.readUtilization(device, i, r),
        () => this.readEcc(device, i, r),
        () => this.readRemap(device, i, r),
        () => this.readThrottle(device, i, r),
        () => this.readNvLinks(device, i, r),
      ];
      for (const read of reads) {
        const lost = !attempt(failures, i, read) && failures.at(-1)?.error.includes(`(${NVML_ERROR_GPU_IS_LOST})`);
        if (lost) break;
      }
    }
    return { gpus, failures };
  }

  /**
   * Memory in use. The v2 call reports the driver's reserved memory apart from `used` (as
   * nvidia-smi shows it); v1 counts it as used. Drivers without v2 fall back to v1.
   */
  private readMemory(device: unknown, i: number, r: GpuReading): void {
    if (this.fns.has('nvmlDeviceGetMemoryInfo_v2')) {
      const v2: { version: number; total?: number | bigint; used?: number | bigint } = { version: NVML_MEMORY_V2_VERSION };
      if (this.call('nvmlDeviceGetMemoryInfo_v2', i, device, v2) === NVML_SUCCESS) {
        r.memoryTotalMiB = Math.round(Number(v2.total ?? 0) / MIB);
        r.memoryUsedMiB = Math.round(Number(v2.used ?? 0) / MIB);
        return;
      }
    }
    const mem: { total?: number | bigint; used?: number | bigint } = {};
    if (!this.need('nvmlDeviceGetMemoryInfo', i, device, mem)) return;
    r.memoryTotalMiB = Math.round(Number(mem.total ?? 0) / MIB);
    r.memoryUsedMiB = Math.round(Number(mem.used ?? 0) / MIB);
  }

  private readTemperature(device: unknown, i: number, r: GpuReading): void {
    const out = [0];
    if (this.need('nvmlDeviceGetTemperature', i, device, NVML_TEMPERATURE_GPU, out)) r.temperatureC = out[0] ?? 0;
  }

  private readPower(device: unknown, i: number, r: GpuReading): void {
    const out = [0];
    if (this.need('nvmlDeviceGetPowerUsage', i, device, out)) r.powerW = Math.round(out[0] ?? 0) / 1000;
  }

  private readUtilization(device: unknown, i: number, r: GpuReading): void {
    const out: { gpu?: number } = {};
    if (this.need('nvmlDeviceGetUtilizationRates', i, device, out)) r.utilizationPct = out.gpu ?? 0;
  }

  private eccCount(device: unknown, i: number, type: number, counter: number): number | undefined {
    const out: Array<number | bigint> = [0];
    return this.need('nvmlDeviceGetTotalEccErrors', i, device, type, counter, out) ? Number(out[0] ?? 0) : undefined;
  }

  private readEcc(device: unknown, i: number, r: GpuReading): void {
    // ECC off or unsupported answers NOT_SUPPORTED on the first query: then there is nothing to read.
    const volatileUncorrected = this.eccCount(device, i, MEMORY_ERROR_UNCORRECTED, VOLATILE_ECC);
    if (volatileUncorrected === undefined) return;
    r.ecc = {
      volatileCorrected: this.eccCount(device, i, MEMORY_ERROR_CORRECTED, VOLATILE_ECC) ?? 0,
      volatileUncorrected,
      aggregateCorrected: this.eccCount(device, i, MEMORY_ERROR_CORRECTED, AGGREGATE_ECC) ?? 0,
      aggregateUncorrected: this.eccCount(device, i, MEMORY_ERROR_UNCORRECTED, AGGREGATE_ECC) ?? 0,
    };
  }

  /** Row remapping on Ampere and later; retired pages on older GPUs, which do not remap rows. */
  private readRemap(device: unknown, i: number, r: GpuReading): void {
    const corr = [0];
    const unc = [0];
    const pending = [0];
    const failure = [0];
    if (this.need('nvmlDeviceGetRemappedRows', i, device, corr, unc, pending, failure)) {
      r.remappedRows = {
        correctable: corr[0] ?? 0,
        uncorrectable: unc[0] ?? 0,
        pending: (pending[0] ?? 0) !== 0,
        failure: (failure[0] ?? 0) !== 0,
      };
      return;
    }
    const single = this.retiredCount(device, i, RETIRED_SINGLE_BIT);
    if (single === undefined) return;
    const isPending = [0];
    const pendingKnown = this.need('nvmlDeviceGetRetiredPagesPendingStatus', i, device, isPending);
    r.retiredPages = {
      singleBit: single,
      doubleBit: this.retiredCount(device, i, RETIRED_DOUBLE_BIT) ?? 0,
      pending: pendingKnown && (isPending[0] ?? 0) !== 0,
    };
  }

  /** With a zero-sized buffer NVML answers the count, as SUCCESS or INSUFFICIENT_SIZE. */
  private retiredCount(device: unknown, i: number, cause: number): number | undefined {
    const count = [0];
    let code: number;
    try {
      code = this.call('nvmlDeviceGetRetiredPages', i, device, cause, count, null);
    } catch (err) {
      if (err instanceof NvmlCallError && err.code === NVML_ERROR_FUNCTION_NOT_FOUND) return undefined;
      throw err;
    }
    if (code === NVML_SUCCESS || code === NVML_ERROR_INSUFFICIENT_SIZE) return count[0] ?? 0;
    if (code === NVML_ERROR_NOT_SUPPORTED) return undefined;
    throw new NvmlCallError('nvmlDeviceGetRetiredPages', code, this.errorText(code), i);
  }

  private readThrottle(device: unknown, i: number, r: GpuReading): void {
    const out: Array<number | bigint> = [0];
    const name = this.fns.has('nvmlDeviceGetCurrentClocksEventReasons')
      ? 'nvmlDeviceGetCurrentClocksEventReasons'
      : 'nvmlDeviceGetCurrentClocksThrottleReasons';
    if (this.need(name, i, device, out)) r.throttleReasons = clockEventReasons(BigInt(out[0] ?? 0));
  }

  /** Links are probed in order until NVML says the index is past the GPU's last link. */
  private readNvLinks(device: unknown, i: number, r: GpuReading): void {
    const links: NvLinkState[] = [];
    for (let link = 0; link < NVML_NVLINK_MAX_LINKS; link++) {
      const out = [0];
      let code: number;
      try {
        code = this.call('nvmlDeviceGetNvLinkState', i, device, link, out);
      } catch (err) {
        if (err instanceof NvmlCallError && err.code === NVML_ERROR_FUNCTION_NOT_FOUND) return;
        throw err;
      }
      if (code === NVML_ERROR_NOT_SUPPORTED || code === NVML_ERROR_INVALID_ARGUMENT) break;
      if (code !== NVML_SUCCESS) throw new NvmlCallError('nvmlDeviceGetNvLinkState', code, this.errorText(code), i);
      links.push({ link, up: (out[0] ?? 0) !== 0 });
    }
    if (links.length > 0) r.nvlinks = links;
  }
}

/** Runs one read; a thrown error becomes a failure entry. Returns whether it succeeded. */
function attempt(failures: GpuFailure[], gpu: number | undefined, read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch (err) {
    const f: GpuFailure =
      err instanceof NvmlCallError
        ? { call: err.call, error: `${err.text} (${err.code})` }
        : { call: 'nvml', error: err instanceof Error ? err.message : String(err) };
    const at = err instanceof NvmlCallError ? (err.gpu ?? gpu) : gpu;
    if (at !== undefined) f.gpu = at;
    failures.push(f);
    return false;
  }
}

/** The part of a C string buffer before its NUL. */
export function cString(s: string): string {
  const nul = s.indexOf('\0');
  return (nul === -1 ? s : s.slice(0, nul)).trim();
}

/** NVML encodes the CUDA driver version as 1000·major + 10·minor (12040 → "12.4"). */
export function cudaVersionText(v: number): string {
  return `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
}
