/**
 * Parsing of `nvidia-smi` output, the fallback when NVML cannot be loaded. The field lists are part
 * of the contract with nvidia-smi: an unknown field makes it refuse the whole query, so they only
 * name fields every driver since R470 knows, except the clock-event field, which has an older name
 * tried when the new one is refused.
 */
import type { AgentGpu } from '../../src/model/index.js';
import { clockEventReasons, type GpuFailure, type GpuReading } from './types.js';
import { nvmlPciBusId } from '../xid/pci.js';

export const SMI_INVENTORY_FIELDS = ['index', 'uuid', 'pci.bus_id', 'name', 'memory.total', 'driver_version'] as const;

export const SMI_SAMPLE_FIELDS = [
  'index',
  'temperature.gpu',
  'power.draw',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'ecc.errors.corrected.volatile.total',
  'ecc.errors.uncorrected.volatile.total',
  'ecc.errors.corrected.aggregate.total',
  'ecc.errors.uncorrected.aggregate.total',
  'retired_pages.single_bit_ecc.count',
  'retired_pages.double_bit.count',
  'retired_pages.pending',
  'clocks_event_reasons.active',
] as const;

/** Drivers before R535 call the clock-event field by its older name. */
export const SMI_LEGACY_CLOCK_FIELD = 'clocks_throttle_reasons.active';

export const SMI_REMAP_FIELDS = [
  'gpu_bus_id',
  'remapped_rows.correctable',
  'remapped_rows.uncorrectable',
  'remapped_rows.pending',
  'remapped_rows.failure',
] as const;

/** The arguments for one `--query-gpu` run. */
export function smiQueryArgs(fields: readonly string[]): string[] {
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

export function smiRemapArgs(): string[] {
  return [`--query-remapped-rows=${SMI_REMAP_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
}

/** What one CSV cell holds: a value, nothing (the GPU does not have it), or a read that failed. */
type Cell = { value: string } | { absent: true } | { error: string };

function cell(raw: string | undefined): Cell {
  const v = (raw ?? '').trim();
  if (v === '' || /^\[?(N\/A|Not Supported)\]?$/i.test(v)) return { absent: true };
  // nvidia-smi prints these when the read itself failed: a health signal, not a missing feature.
  if (/^\[(Unknown Error|GPU requires reset|GPU is lost|Insufficient Permissions)\]$/i.test(v) || v === 'ERR!') return { error: v.replace(/^\[|\]$/g, '') };
  return { value: v };
}

function rows(csv: string): string[][] {
  return csv
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.split(',').map((c) => c.trim()));
}

/** Parses `--query-gpu=<SMI_INVENTORY_FIELDS>` output. */
export function parseSmiInventory(csv: string): { gpus: AgentGpu[]; driverVersion?: string } {
  const gpus: AgentGpu[] = [];
  let driverVersion: string | undefined;
  for (const r of rows(csv)) {
    const [index, uuid, pci, name, memory, driver] = r;
    const mem = Number(memory);
    const gpu: AgentGpu = {
      index: Number(index),
      uuid: uuid ?? '',
      pciBusId: nvmlPciBusId(pci ?? '') ?? pci ?? '',
      name: name ?? '',
      memoryMiB: Number.isFinite(mem) ? mem : 0,
    };
    if (driver && 'value' in cell(driver)) {
      gpu.driverVersion = driver;
      driverVersion = driver;
    }
    gpus.push(gpu);
  }
  return driverVersion === undefined ? { gpus } : { gpus, driverVersion };
}

function num(c: Cell, field: string, gpu: number, failures: GpuFailure[]): number | undefined {
  if ('error' in c) {
    failures.push({ gpu, call: `nvidia-smi ${field}`, error: c.error });
    return undefined;
  }
  if ('absent' in c) return undefined;
  const n = Number(c.value);
  if (!Number.isFinite(n)) {
    failures.push({ gpu, call: `nvidia-smi ${field}`, error: `unreadable value '${c.value}'` });
    return undefined;
  }
  return n;
}

const YES = /^(yes|1|true|enabled|active)$/i;

/** Parses `--query-gpu=<SMI_SAMPLE_FIELDS>` output (the clock field under either name). */
export function parseSmiSample(csv: string): { gpus: GpuReading[]; failures: GpuFailure[] } {
  const failures: GpuFailure[] = [];
  const gpus: GpuReading[] = [];
  for (const r of rows(csv)) {
    const c = (i: number): Cell => cell(r[i]);
    const index = Number(r[0]);
    if (!Number.isInteger(index)) continue;
    const n = (i: number): number | undefined => num(c(i), SMI_SAMPLE_FIELDS[i] ?? '', index, failures);
    const g: GpuReading = { index };
    const set = <K extends keyof GpuReading>(k: K, v: GpuReading[K] | undefined): void => {
      if (v !== undefined) g[k] = v;
    };
    set('temperatureC', n(1));
    set('powerW', n(2));
    set('utilizationPct', n(3));
    set('memoryUsedMiB', n(4));
    set('memoryTotalMiB', n(5));
    const ecc = [n(6), n(7), n(8), n(9)];
    if (ecc.some((x) => x !== undefined)) {
      g.ecc = { volatileCorrected: ecc[0] ?? 0, volatileUncorrected: ecc[1] ?? 0, aggregateCorrected: ecc[2] ?? 0, aggregateUncorrected: ecc[3] ?? 0 };
    }
    const single = n(10);
    const double = n(11);
    const pending = c(12);
    if (single !== undefined || double !== undefined) {
      g.retiredPages = { singleBit: single ?? 0, doubleBit: double ?? 0, pending: 'value' in pending && YES.test(pending.value) };
    }
    const reasons = c(13);
    if ('value' in reasons) {
      try {
        g.throttleReasons = clockEventReasons(BigInt(reasons.value));
      } catch {
        failures.push({ gpu: index, call: 'nvidia-smi clocks_event_reasons.active', error: `unreadable value '${reasons.value}'` });
      }
    } else if ('error' in reasons) {
      failures.push({ gpu: index, call: 'nvidia-smi clocks_event_reasons.active', error: reasons.error });
    }
    gpus.push(g);
  }
  return { gpus, failures };
}

/** Parses `--query-remapped-rows` output into readings keyed by NVML-form PCI bus id. */
export function parseSmiRemap(csv: string): Map<string, NonNullable<GpuReading['remappedRows']>> {
  const out = new Map<string, NonNullable<GpuReading['remappedRows']>>();
  for (const r of rows(csv)) {
    const [bus, corr, unc, pending, failure] = r;
    const pci = nvmlPciBusId(bus ?? '');
    if (!pci || [corr, unc].some((v) => !('value' in cell(v)))) continue;
    out.set(pci, {
      correctable: Number(corr),
      uncorrectable: Number(unc),
      pending: YES.test(pending ?? ''),
      failure: YES.test(failure ?? ''),
    });
  }
  return out;
}

/** Parses `nvidia-smi nvlink -s`: per GPU index, each link and whether it is up (`<inactive>` is down). */
export function parseSmiNvLinks(text: string): Map<number, Array<{ link: number; up: boolean }>> {
  const out = new Map<number, Array<{ link: number; up: boolean }>>();
  let gpu: number | undefined;
  for (const line of text.split(/\r?\n/)) {
    const head = /^GPU (\d+):/.exec(line);
    if (head) {
      gpu = Number(head[1]);
      continue;
    }
    const link = /^\s+Link (\d+):\s*(.*)$/.exec(line);
    if (link && gpu !== undefined) {
      const list = out.get(gpu) ?? [];
      list.push({ link: Number(link[1]), up: !/inactive|down/i.test(link[2] ?? '') });
      out.set(gpu, list);
    }
  }
  return out;
}

/** Whether nvidia-smi refused a query because it does not know a field. */
export function isUnknownFieldError(stderr: string): boolean {
  return /not a valid field|invalid field|unrecognized field/i.test(stderr);
}
