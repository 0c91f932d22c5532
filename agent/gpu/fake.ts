/**
 * A fake GPU source for tests and demos: N GPUs with plausible readings, and faults injected from
 * a JSON spec file. The file is read again whenever it changes, so a fault can be injected into a
 * running agent by rewriting it:
 *
 *   {"gpus": 8, "faults": [{"kind": "ecc", "gpu": 3, "volatileUncorrected": 2},
 *                          {"kind": "nvml-error", "gpu": 1, "call": "nvmlDeviceGetTemperature", "error": "GPU is lost"},
 *                          {"kind": "hang"}]}
 */
import { readFileSync, statSync } from 'node:fs';
import type { AgentGpu } from '../../src/model/index.js';
import type { GpuFailure, GpuInventory, GpuReading, GpuSnapshot, GpuSource } from './types.js';

export type FakeFault =
  /** The GPU is gone: absent from the inventory and from readings (as after XID 79). */
  | { kind: 'missing'; gpu: number }
  /** A read fails with `error` (every per-GPU read when `call` is omitted). */
  | { kind: 'nvml-error'; gpu?: number; call?: string; error: string }
  /** Inventory fails: the driver is not loaded. */
  | { kind: 'init-failure'; error?: string }
  /** Sampling never returns (a wedged driver). */
  | { kind: 'hang' }
  | { kind: 'ecc'; gpu: number; volatileCorrected?: number; volatileUncorrected?: number; aggregateCorrected?: number; aggregateUncorrected?: number }
  | { kind: 'remap'; gpu: number; correctable?: number; uncorrectable?: number; pending?: boolean; failure?: boolean }
  | { kind: 'retired-pages'; gpu: number; singleBit?: number; doubleBit?: number; pending?: boolean }
  | { kind: 'temperature'; gpu: number; value: number }
  | { kind: 'throttle'; gpu: number; reasons: string[] }
  | { kind: 'nvlink-down'; gpu: number; link: number };

export interface FakeGpuSpec {
  gpus?: number;
  name?: string;
  memoryMiB?: number;
  driverVersion?: string;
  cudaVersion?: string;
  /** NVLinks per GPU (18 on H100 SXM); 0 for PCIe cards without NVLink. */
  nvlinks?: number;
  /** `retired-pages` for pre-Ampere cards, `remapped-rows` otherwise. */
  memoryRepair?: 'remapped-rows' | 'retired-pages';
  faults?: FakeFault[];
}

export const FAKE_DEFAULTS = {
  gpus: 8,
  name: 'NVIDIA H100 80GB HBM3',
  memoryMiB: 81559,
  driverVersion: '550.54.15',
  cudaVersion: '12.4',
  nvlinks: 18,
} as const;

/** Plausible, distinct PCI buses for up to 16 GPUs (as on an 8-GPU HGX board). */
const BUSES = [0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab, 0xba, 0xdb, 0x19, 0x2b, 0x3b, 0x5e, 0x9b, 0xac, 0xbb, 0xdc];

/** The PCI bus id the fake gives GPU `i`. */
export function fakePciBusId(i: number): string {
  const bus = BUSES[i % BUSES.length] ?? i;
  return `00000000:${bus.toString(16).toUpperCase().padStart(2, '0')}:00.0`;
}

export interface FakeGpuSourceOptions {
  /** A fixed spec, or a function returning the current one. */
  spec: FakeGpuSpec | (() => FakeGpuSpec);
  now?: () => number;
}

export class FakeGpuSource implements GpuSource {
  readonly kind = 'fake' as const;
  private samples = 0;
  private readonly now: () => number;

  constructor(private readonly opts: FakeGpuSourceOptions) {
    this.now = opts.now ?? Date.now;
  }

  private spec(): FakeGpuSpec {
    return typeof this.opts.spec === 'function' ? this.opts.spec() : this.opts.spec;
  }

  private faults<K extends FakeFault['kind']>(kind: K): Array<Extract<FakeFault, { kind: K }>> {
    return (this.spec().faults ?? []).filter((f): f is Extract<FakeFault, { kind: K }> => f.kind === kind);
  }

  private present(): number[] {
    const n = this.spec().gpus ?? FAKE_DEFAULTS.gpus;
    const missing = new Set(this.faults('missing').map((f) => f.gpu));
    return Array.from({ length: n }, (_, i) => i).filter((i) => !missing.has(i));
  }

  async inventory(): Promise<GpuInventory> {
    const init = this.faults('init-failure')[0];
    if (init) throw new Error(init.error ?? 'Driver Not Loaded');
    const s = this.spec();
    const driverVersion = s.driverVersion ?? FAKE_DEFAULTS.driverVersion;
    const cudaVersion = s.cudaVersion ?? FAKE_DEFAULTS.cudaVersion;
    const gpus: AgentGpu[] = this.present().map((i) => ({
      index: i,
      uuid: `GPU-fa4e${i.toString(16).padStart(4, '0')}-0000-4000-8000-00000000000${i % 10}`,
      pciBusId: fakePciBusId(i),
      name: s.name ?? FAKE_DEFAULTS.name,
      memoryMiB: s.memoryMiB ?? FAKE_DEFAULTS.memoryMiB,
      driverVersion,
      cudaVersion,
    }));
    return { source: 'fake', driverVersion, cudaVersion, gpus, failures: this.errors(gpus.map((g) => g.index), true) };
  }

  /**
   * Failures the spec injects. Inventory carries those aimed at inventory calls (name, UUID, PCI
   * info, handle); sampling carries the rest, and a fault without a call fails the whole GPU.
   */
  private errors(present: number[], inventory: boolean): GpuFailure[] {
    const out: GpuFailure[] = [];
    for (const f of this.faults('nvml-error')) {
      if (f.gpu !== undefined && !present.includes(f.gpu)) continue;
      const isInventoryCall = f.call !== undefined && /GetName|GetUUID|GetPciInfo|GetHandleByIndex/.test(f.call);
      if (inventory !== isInventoryCall) continue;
      const call = f.call ?? 'nvmlDeviceGetHandleByIndex_v2';
      out.push(f.gpu === undefined ? { call, error: f.error } : { gpu: f.gpu, call, error: f.error });
    }
    return out;
  }

  async sample(): Promise<GpuSnapshot> {
    if (this.faults('hang').length > 0) return new Promise<never>(() => undefined);
    const s = this.spec();
    const tick = this.samples++;
    const memTotal = s.memoryMiB ?? FAKE_DEFAULTS.memoryMiB;
    const links = s.nvlinks ?? FAKE_DEFAULTS.nvlinks;
    const present = this.present();
    const failures = this.errors(present, false);
    const unreadable = new Set(this.faults('nvml-error').filter((f) => f.call === undefined).map((f) => f.gpu));
    const gpus: GpuReading[] = present.map((i) => {
      // Gentle, deterministic movement so dashboards show life.
      const wave = (tick + i) % 5;
      const r: GpuReading = {
        index: i,
        temperatureC: 38 + i + wave,
        powerW: 110 + 10 * wave + i,
        utilizationPct: (40 + 10 * wave + i) % 101,
        memoryUsedMiB: 1024 + 512 * wave,
        memoryTotalMiB: memTotal,
        ecc: { volatileCorrected: 0, volatileUncorrected: 0, aggregateCorrected: 0, aggregateUncorrected: 0 },
        throttleReasons: wave === 0 ? ['GpuIdle'] : [],
      };
      if ((s.memoryRepair ?? 'remapped-rows') === 'remapped-rows') {
        r.remappedRows = { correctable: 0, uncorrectable: 0, pending: false, failure: false };
      } else {
        r.retiredPages = { singleBit: 0, doubleBit: 0, pending: false };
      }
      if (links > 0) r.nvlinks = Array.from({ length: links }, (_, link) => ({ link, up: true }));
      return r;
    });
    const at = (gpu: number): GpuReading | undefined => gpus.find((g) => g.index === gpu);
    for (const f of this.faults('ecc')) {
      const g = at(f.gpu);
      if (g?.ecc) Object.assign(g.ecc, pick(f, ['volatileCorrected', 'volatileUncorrected', 'aggregateCorrected', 'aggregateUncorrected']));
    }
    for (const f of this.faults('remap')) {
      const g = at(f.gpu);
      if (g) g.remappedRows = { correctable: 0, uncorrectable: 0, pending: false, failure: false, ...pick(f, ['correctable', 'uncorrectable', 'pending', 'failure']) };
    }
    for (const f of this.faults('retired-pages')) {
      const g = at(f.gpu);
      if (g) g.retiredPages = { singleBit: 0, doubleBit: 0, pending: false, ...pick(f, ['singleBit', 'doubleBit', 'pending']) };
    }
    for (const f of this.faults('temperature')) {
      const g = at(f.gpu);
      if (g) g.temperatureC = f.value;
    }
    for (const f of this.faults('throttle')) {
      const g = at(f.gpu);
      if (g) g.throttleReasons = [...f.reasons];
    }
    for (const f of this.faults('nvlink-down')) {
      const link = at(f.gpu)?.nvlinks?.find((l) => l.link === f.link);
      if (link) link.up = false;
    }
    // A GPU whose every read fails has no readings at all (a fault without `gpu` fails them all).
    const readable = gpus.filter((g) => !unreadable.has(g.index) && !unreadable.has(undefined));
    return { time: this.now(), gpus: readable, failures };
  }

  async close(): Promise<void> {}
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Reads a spec file, re-reading it only when it changes; a broken file keeps the last good spec. */
export function specFile(path: string, fallback: FakeGpuSpec = {}): () => FakeGpuSpec {
  let mtime = -1;
  let size = -1;
  let current = fallback;
  return () => {
    try {
      const st = statSync(path);
      if (st.mtimeMs !== mtime || st.size !== size) {
        mtime = st.mtimeMs;
        size = st.size;
        current = parseFakeSpec(readFileSync(path, 'utf8'), fallback);
      }
    } catch {
      // missing or half-written: keep what we had
    }
    return current;
  };
}

/** Parses a spec's JSON text; `gpus` from `fallback` (the --fake-gpus flag) applies when the file has none. */
export function parseFakeSpec(text: string, fallback: FakeGpuSpec = {}): FakeGpuSpec {
  const raw = JSON.parse(text) as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('a fake GPU spec is a JSON object');
  const spec = raw as FakeGpuSpec;
  if (spec.gpus !== undefined && (!Number.isInteger(spec.gpus) || spec.gpus < 0)) throw new Error('gpus: a whole number');
  if (spec.faults !== undefined && !Array.isArray(spec.faults)) throw new Error('faults: a list');
  return { ...fallback, ...spec };
}
