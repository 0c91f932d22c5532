/**
 * From GPU snapshots to what the control plane is told: checks (the state now, in every health
 * report) and events (what changed since the last snapshot). Counters only produce an event when
 * they move, so a GPU with one old ECC error does not repeat it every minute; the check keeps
 * saying so.
 */
import type { CheckResult, HealthEvent } from '../../src/model/index.js';
import { THERMAL_REASONS, type GpuFailure, type GpuReading, type GpuSnapshot } from '../gpu/index.js';

export interface HealthThresholds {
  /** At or above this GPU temperature the thermal check warns and a thermal event is sent. */
  temperatureWarnC: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { temperatureWarnC: 85 };

export interface Evaluation {
  events: HealthEvent[];
  checks: CheckResult[];
}

const failureKey = (f: GpuFailure): string => `${f.gpu ?? '-'}|${f.call}|${f.error}`;

export class HealthTracker {
  private prev = new Map<number, GpuReading>();
  private prevFailures = new Set<string>();
  private hot = new Set<number>();
  private latest: CheckResult[] = [];
  private first = true;

  constructor(
    /** GPU indices found at start: one missing later is a failure. */
    private expected: number[],
    private readonly thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
  ) {}

  /** Replaces the GPUs expected to answer (once the inventory is known). */
  expect(indices: number[]): void {
    this.expected = [...indices];
  }

  /** The checks as of the last snapshot. */
  get checks(): CheckResult[] {
    return this.latest;
  }

  observe(snap: GpuSnapshot, time: string): Evaluation {
    const events: HealthEvent[] = [];
    const byIndex = new Map(snap.gpus.map((g) => [g.index, g]));

    // Failures: an event when a failure starts (the check repeats it while it lasts).
    const failures = [...new Map(snap.failures.map((f) => [failureKey(f), f])).values()];
    const failing = new Set(failures.map((f) => f.gpu));
    // A GPU missing from a completed read is gone; when the whole read failed, that failure says it all.
    const wholeReadFailed = snap.incomplete === true || (snap.gpus.length === 0 && failures.some((f) => f.gpu === undefined));
    for (const i of wholeReadFailed ? [] : this.expected) {
      if (!byIndex.has(i) && !failing.has(i)) failures.push({ gpu: i, call: 'device', error: 'the GPU no longer answers' });
    }
    const keys = new Set(failures.map(failureKey));
    for (const f of failures) {
      if (this.prevFailures.has(failureKey(f))) continue;
      const e: HealthEvent = { kind: 'nvml-failure', time, call: f.call, error: f.error };
      if (f.gpu !== undefined) e.gpu = f.gpu;
      events.push(e);
    }
    this.prevFailures = keys;

    for (const g of snap.gpus) events.push(...this.changes(g, this.prev.get(g.index), time));
    for (const g of snap.gpus) this.prev.set(g.index, g);
    this.first = false;
    this.latest = this.check(snap, failures);
    return { events, checks: this.latest };
  }

  private changes(g: GpuReading, p: GpuReading | undefined, time: string): HealthEvent[] {
    const out: HealthEvent[] = [];
    const seenBefore = p !== undefined;
    const gpu = g.index;
    if (g.ecc) {
      const e = g.ecc;
      const before = p?.ecc;
      const moved = before
        ? e.volatileUncorrected > before.volatileUncorrected || e.aggregateUncorrected > before.aggregateUncorrected
        : e.volatileUncorrected > 0 || e.aggregateUncorrected > 0;
      if (moved) out.push({ kind: 'ecc', time, gpu, ...e });
    }
    if (g.remappedRows) {
      const r = g.remappedRows;
      const b = p?.remappedRows;
      const changed = b
        ? r.pending !== b.pending || r.failure !== b.failure || r.uncorrectable !== b.uncorrectable || r.correctable !== b.correctable
        : r.pending || r.failure || r.uncorrectable > 0;
      if (changed) out.push({ kind: 'remapped-rows', time, gpu, ...r });
    }
    if (g.retiredPages) {
      const r = g.retiredPages;
      const b = p?.retiredPages;
      const changed = b ? r.pending !== b.pending || r.singleBit !== b.singleBit || r.doubleBit !== b.doubleBit : r.pending || r.doubleBit > 0;
      if (changed) out.push({ kind: 'retired-pages', time, gpu, ...r });
    }
    const reasons = (g.throttleReasons ?? []).filter((r) => THERMAL_REASONS.has(r));
    const hot = (g.temperatureC !== undefined && g.temperatureC >= this.thresholds.temperatureWarnC) || reasons.length > 0;
    if (hot && !this.hot.has(gpu)) out.push({ kind: 'thermal', time, gpu, temperatureC: g.temperatureC ?? 0, throttleReasons: reasons });
    if (hot) this.hot.add(gpu);
    else this.hot.delete(gpu);
    for (const l of g.nvlinks ?? []) {
      const before = p?.nvlinks?.find((x) => x.link === l.link);
      // At the first look a down link is reported only when others on the GPU are up (a real fault,
      // not links the board never wired); afterwards every change is reported.
      const firstLookFault = !seenBefore && this.first && !l.up && (g.nvlinks ?? []).some((x) => x.up);
      if ((before && before.up !== l.up) || firstLookFault || (!before && seenBefore && !l.up)) {
        out.push({ kind: 'nvlink', time, gpu, link: l.link, state: l.up ? 'up' : 'down' });
      }
    }
    return out;
  }

  private check(snap: GpuSnapshot, failures: GpuFailure[]): CheckResult[] {
    const checks: CheckResult[] = [];
    const gpuName = (i: number | undefined): string => (i === undefined ? 'driver' : `GPU ${i}`);
    checks.push(
      failures.length > 0
        ? { name: 'gpu-readings', status: 'fail', message: failures.map((f) => `${gpuName(f.gpu)}: ${f.call}: ${f.error}`).join('; ') }
        : { name: 'gpu-readings', status: 'pass', message: `${snap.gpus.length} GPU${snap.gpus.length === 1 ? '' : 's'} answered` },
    );
    const withEcc = snap.gpus.filter((g) => g.ecc);
    if (withEcc.length > 0) {
      const vol = withEcc.filter((g) => (g.ecc?.volatileUncorrected ?? 0) > 0);
      const agg = withEcc.filter((g) => (g.ecc?.aggregateUncorrected ?? 0) > 0);
      if (vol.length > 0) {
        checks.push({ name: 'ecc', status: 'fail', message: vol.map((g) => `GPU ${g.index}: ${g.ecc?.volatileUncorrected} uncorrectable ECC errors since the driver loaded`).join('; ') });
      } else if (agg.length > 0) {
        checks.push({ name: 'ecc', status: 'warn', message: agg.map((g) => `GPU ${g.index}: ${g.ecc?.aggregateUncorrected} uncorrectable ECC errors over its lifetime`).join('; ') });
      } else {
        checks.push({ name: 'ecc', status: 'pass', message: 'no uncorrectable ECC errors' });
      }
    }
    const repair = snap.gpus.filter((g) => g.remappedRows || g.retiredPages);
    if (repair.length > 0) {
      const failed = repair.filter((g) => g.remappedRows?.failure);
      const pending = repair.filter((g) => g.remappedRows?.pending || g.retiredPages?.pending);
      if (failed.length > 0) {
        checks.push({ name: 'memory-repair', status: 'fail', message: failed.map((g) => `GPU ${g.index}: row remapping failed (no spare rows left)`).join('; ') });
      } else if (pending.length > 0) {
        checks.push({ name: 'memory-repair', status: 'warn', message: pending.map((g) => `GPU ${g.index}: a memory repair waits for a GPU reset`).join('; ') });
      } else {
        checks.push({ name: 'memory-repair', status: 'pass', message: 'no pending or failed memory repair' });
      }
    }
    const withTemp = snap.gpus.filter((g) => g.temperatureC !== undefined || g.throttleReasons);
    if (withTemp.length > 0) {
      const hot = withTemp.filter((g) => this.hot.has(g.index));
      checks.push(
        hot.length > 0
          ? {
              name: 'thermal',
              status: 'warn',
              message: hot
                .map((g) => {
                  const reasons = (g.throttleReasons ?? []).filter((r) => THERMAL_REASONS.has(r));
                  return `GPU ${g.index}: ${g.temperatureC ?? '?'}°C${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
                })
                .join('; '),
            }
          : { name: 'thermal', status: 'pass', message: `hottest GPU ${Math.max(...withTemp.map((g) => g.temperatureC ?? 0))}°C` },
      );
    }
    const withLinks = snap.gpus.filter((g) => (g.nvlinks?.length ?? 0) > 0);
    if (withLinks.length > 0) {
      const down = withLinks.flatMap((g) => (g.nvlinks ?? []).filter((l) => !l.up).map((l) => `GPU ${g.index} link ${l.link}`));
      checks.push(down.length > 0 ? { name: 'nvlink', status: 'warn', message: `inactive: ${down.join(', ')}` } : { name: 'nvlink', status: 'pass', message: 'every NVLink is up' });
    }
    return checks;
  }
}
