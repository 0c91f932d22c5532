/**
 * What one observation from an agent means for its node: each health event, check result and
 * temperature reading becomes a finding with a severity and a reason an operator can act on.
 * Pure: the same input always gives the same finding.
 */
import type { CheckResult, GpuSample, HealthEvent } from '../model/index.js';
import { implausible, sensorFault } from './sensors.js';
import { xidInfo } from './xid.js';

/**
 * `info`: recorded, no node action. `degraded`: watched. `unhealthy`: counts towards
 * `unhealthy_after`. `reset`: the GPU needs a reset (replace when it repeats). `replace`: the node
 * is done. `preempt`: the cloud is taking the node back.
 */
export type Severity = 'info' | 'degraded' | 'unhealthy' | 'reset' | 'replace' | 'preempt';

/**
 * How the control plane's store ranks a record it may have to drop when it is full: `low` goes
 * first, then `normal`, then `high`; `keep` (what condemns a node, or says the cloud takes it
 * back) is never dropped.
 */
export type Retention = 'low' | 'normal' | 'high' | 'keep';

const RETENTION: Record<Severity, Retention> = { info: 'low', degraded: 'normal', reset: 'normal', unhealthy: 'high', replace: 'keep', preempt: 'keep' };

/** The retention of what a finding was made from; nothing found is `low`. */
export function retentionOf(f: Finding | undefined): Retention {
  return f ? RETENTION[f.severity] : 'low';
}

export interface Finding {
  severity: Severity;
  reason: string;
  /** Set for XID events (metrics count them by number). */
  xid?: number;
  /** The GPU (by index) the finding is about, when it is about one. */
  gpu?: number;
  /** What was found in a few words, for a view with one cell per node (`XID 48`, `NVLink 2 down`). */
  label?: string;
}

/** A GPU as its node registered it, to name GPUs by both index and PCI address. */
export interface GpuIdentity {
  index: number;
  pciBusId: string;
}

export interface Thresholds {
  thermalDegradedC: number;
  thermalUnhealthyC: number;
}

/** Retired pages past which NVIDIA's guidance is to RMA the board (pre-Ampere GPUs). */
const RETIRED_PAGES_RMA = 60;

/**
 * PCI addresses as the kernel prints them (`0000:3b:00`), as NVML does (`00000000:3B:00.0`), or
 * bare (`3b:00.0`), all become `0000:3b:00.0`, so reasons read alike whatever reported them.
 */
export function normalizePci(text: string): string {
  const t = text.trim().replace(/^PCI:/i, '').toLowerCase();
  const m = /^(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})(?:\.([0-7]))?$/.exec(t);
  if (!m) return t;
  const domain = (m[1] ?? '0').padStart(8, '0').slice(-4);
  return `${domain}:${(m[2] as string).padStart(2, '0')}:${(m[3] as string).padStart(2, '0')}.${m[4] ?? '0'}`;
}

/** `GPU 3 (0000:3b:00.0)`, filling whichever of index and address the event left out. */
export function gpuLabel(gpus: readonly GpuIdentity[], gpu: number | undefined, pci: string | undefined): string {
  const address = pci !== undefined ? normalizePci(pci) : undefined;
  const known =
    gpu !== undefined ? gpus.find((g) => g.index === gpu) : address !== undefined ? gpus.find((g) => normalizePci(g.pciBusId) === address) : undefined;
  const index = gpu ?? known?.index;
  const where = address ?? (known ? normalizePci(known.pciBusId) : undefined);
  if (index !== undefined && where !== undefined) return `GPU ${index} (${where})`;
  if (index !== undefined) return `GPU ${index}`;
  return where !== undefined ? `GPU at ${where}` : '';
}

/** The index of the GPU an event names by index or PCI address, when the node registered it (or the index was given). */
export function gpuIndex(gpus: readonly GpuIdentity[], gpu: number | undefined, pci: string | undefined): number | undefined {
  if (gpu !== undefined) return gpu;
  if (pci === undefined) return undefined;
  const address = normalizePci(pci);
  return gpus.find((g) => normalizePci(g.pciBusId) === address)?.index;
}

/** `finding` about GPU `gpu` (when known), labelled for a one-cell view. */
function about(finding: Finding, gpu: number | undefined, label: string): Finding {
  return gpu === undefined ? { ...finding, label } : { ...finding, gpu, label };
}

function on(label: string): string {
  return label ? ` on ${label}` : '';
}

const XID_SEVERITY = { application: 'info', ignore: undefined, degraded: 'degraded', reset: 'reset', replace: 'replace' } as const;

/** What a health event means, or undefined when it means nothing for the node. */
export function classifyEvent(e: HealthEvent, gpus: readonly GpuIdentity[], t: Thresholds): Finding | undefined {
  switch (e.kind) {
    case 'xid': {
      const info = xidInfo(e.xid, e.message);
      const severity = XID_SEVERITY[info.bucket];
      if (!severity) return undefined;
      const suffix = info.bucket === 'application' ? ' (application error; the node stays)' : '';
      return about({ severity, reason: `XID ${e.xid}${on(gpuLabel(gpus, e.gpu, e.pci))}: ${info.name}${suffix}`, xid: e.xid }, gpuIndex(gpus, e.gpu, e.pci), `XID ${e.xid}`);
    }
    case 'ecc': {
      if (e.volatileUncorrected > 0) {
        return about(
          { severity: 'replace', reason: `ECC double-bit errors${on(gpuLabel(gpus, e.gpu, undefined))}: ${e.volatileUncorrected} uncorrected since the driver loaded` },
          e.gpu,
          'ECC double-bit errors',
        );
      }
      return e.aggregateUncorrected > 0
        ? { severity: 'info', reason: `ECC${on(gpuLabel(gpus, e.gpu, undefined))}: ${e.aggregateUncorrected} uncorrected errors over the GPU's life` }
        : undefined;
    }
    case 'remapped-rows': {
      const label = gpuLabel(gpus, e.gpu, undefined);
      if (e.failure) return about({ severity: 'replace', reason: `row remapping failed${on(label)}: the GPU needs RMA` }, e.gpu, 'row remapping failed');
      if (e.pending) return about({ severity: 'degraded', reason: `row remap pending${on(label)}: a GPU reset activates it` }, e.gpu, 'row remap pending');
      return undefined;
    }
    case 'retired-pages': {
      const label = gpuLabel(gpus, e.gpu, undefined);
      const total = e.singleBit + e.doubleBit;
      if (total >= RETIRED_PAGES_RMA) return about({ severity: 'replace', reason: `${total} retired memory pages${on(label)}: the GPU needs RMA` }, e.gpu, `${total} retired pages`);
      if (e.pending) return about({ severity: 'degraded', reason: `page retirement pending${on(label)}: a GPU reset activates it` }, e.gpu, 'page retirement pending');
      return undefined;
    }
    case 'thermal': {
      if (implausible('temperatureC', e.temperatureC)) return sensorFault(gpus, e.gpu, 'temperatureC', e.temperatureC);
      const label = gpuLabel(gpus, e.gpu, undefined);
      const heat = temperatureFinding(label, e.temperatureC, t);
      if (heat) return about(heat, e.gpu, `${e.temperatureC}°C`);
      const thermal = e.throttleReasons.filter((r) => /thermal/i.test(r));
      return thermal.length > 0
        ? about({ severity: 'degraded', reason: `thermal throttling${on(label)} (${thermal.join(', ')}) at ${e.temperatureC}°C` }, e.gpu, 'thermal throttling')
        : undefined;
    }
    case 'nvlink':
      return e.state === 'down' ? about({ severity: 'unhealthy', reason: `NVLink ${e.link}${on(gpuLabel(gpus, e.gpu, undefined))} is down` }, e.gpu, `NVLink ${e.link} down`) : undefined;
    case 'nvml-failure':
      // NVML failing is itself a signal: a node whose GPUs cannot be read is not assumed healthy.
      return about({ severity: 'unhealthy', reason: `NVML ${e.call} failed${on(gpuLabel(gpus, e.gpu, undefined))}: ${e.error}` }, e.gpu, `NVML ${e.call} failed`);
    case 'preemption': {
      const at = e.at ? ` at ${e.at}` : '';
      if (e.action === 'rebalance') return { severity: 'degraded', reason: `spot rebalance recommendation (${e.cloud}${at})` };
      return { severity: 'preempt', reason: `spot preemption notice (${e.cloud} ${e.action}${at})` };
    }
    case 'diagnostic':
      return e.passed ? undefined : { severity: 'unhealthy', reason: `diagnostic level ${e.level} failed: ${e.message}` };
  }
}

/** A failing check makes the evaluation unhealthy; a warning makes it degraded. */
export function classifyCheck(c: CheckResult): Finding | undefined {
  if (c.status === 'fail') return { severity: 'unhealthy', reason: `check ${c.name} failed: ${c.message}` };
  if (c.status === 'warn') return { severity: 'degraded', reason: `check ${c.name} warns: ${c.message}` };
  return undefined;
}

function temperatureFinding(label: string, c: number, t: Thresholds): Finding | undefined {
  const where = label ? `${label} ` : 'GPU ';
  if (c >= t.thermalUnhealthyC) return { severity: 'unhealthy', reason: `${where}at ${c}°C (unhealthy from ${t.thermalUnhealthyC}°C)` };
  if (c >= t.thermalDegradedC) return { severity: 'degraded', reason: `${where}at ${c}°C (degraded from ${t.thermalDegradedC}°C)` };
  return undefined;
}

/** The hottest GPU of a heartbeat, judged against the thresholds (a reading no GPU reaches is a sensor fault, see sensors.ts). */
export function classifyTemperatures(samples: readonly GpuSample[], gpus: readonly GpuIdentity[], t: Thresholds): Finding | undefined {
  let hottest: GpuSample | undefined;
  for (const s of samples) {
    if (s.temperatureC !== undefined && !implausible('temperatureC', s.temperatureC) && (hottest?.temperatureC === undefined || s.temperatureC > hottest.temperatureC)) hottest = s;
  }
  if (hottest?.temperatureC === undefined) return undefined;
  const heat = temperatureFinding(gpuLabel(gpus, hottest.index, undefined), hottest.temperatureC, t);
  return heat && about(heat, hottest.index, `${hottest.temperatureC}°C`);
}
