import { describe, expect, it } from 'vitest';
import type { GpuReading, GpuSnapshot } from '../gpu/index.js';
import { HealthTracker } from './evaluate.js';
import { eventKey, isUrgent } from './urgent.js';

const T = '2026-01-01T00:00:00.000Z';
const healthy = (index: number, extra: Partial<GpuReading> = {}): GpuReading => ({
  index,
  temperatureC: 40,
  ecc: { volatileCorrected: 0, volatileUncorrected: 0, aggregateCorrected: 0, aggregateUncorrected: 0 },
  remappedRows: { correctable: 0, uncorrectable: 0, pending: false, failure: false },
  throttleReasons: [],
  nvlinks: [
    { link: 0, up: true },
    { link: 1, up: true },
  ],
  ...extra,
});
const snap = (gpus: GpuReading[], failures: GpuSnapshot['failures'] = []): GpuSnapshot => ({ time: 0, gpus, failures });
const status = (checks: Array<{ name: string; status: string }>) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

describe('HealthTracker', () => {
  it('passes healthy GPUs without events', () => {
    const t = new HealthTracker([0, 1]);
    const ev = t.observe(snap([healthy(0), healthy(1)]), T);
    expect(ev.events).toEqual([]);
    expect(status(ev.checks)).toEqual({ 'gpu-readings': 'pass', ecc: 'pass', 'memory-repair': 'pass', thermal: 'pass', nvlink: 'pass' });
  });

  it('reports ECC errors when they appear and when they grow, not on every look', () => {
    const t = new HealthTracker([0]);
    const bad = (n: number) => healthy(0, { ecc: { volatileCorrected: 3, volatileUncorrected: n, aggregateCorrected: 9, aggregateUncorrected: n } });
    expect(t.observe(snap([bad(1)]), T).events).toEqual([{ kind: 'ecc', time: T, gpu: 0, volatileCorrected: 3, volatileUncorrected: 1, aggregateCorrected: 9, aggregateUncorrected: 1 }]);
    const again = t.observe(snap([bad(1)]), T);
    expect(again.events).toEqual([]);
    expect(again.checks.find((c) => c.name === 'ecc')).toMatchObject({ status: 'fail', message: 'GPU 0: 1 uncorrectable ECC errors since the driver loaded' });
    expect(t.observe(snap([bad(2)]), T).events).toHaveLength(1);
  });

  it('reports memory repair, heat and NVLink changes', () => {
    const t = new HealthTracker([0]);
    t.observe(snap([healthy(0)]), T);
    const ev = t.observe(
      snap([
        healthy(0, {
          remappedRows: { correctable: 0, uncorrectable: 1, pending: true, failure: false },
          temperatureC: 88,
          throttleReasons: ['SwPowerCap', 'HwThermalSlowdown'],
          nvlinks: [
            { link: 0, up: true },
            { link: 1, up: false },
          ],
        }),
      ]),
      T,
    );
    expect(ev.events.map((e) => e.kind)).toEqual(['remapped-rows', 'thermal', 'nvlink']);
    expect(ev.events[1]).toEqual({ kind: 'thermal', time: T, gpu: 0, temperatureC: 88, throttleReasons: ['HwThermalSlowdown'] });
    expect(status(ev.checks)).toMatchObject({ 'memory-repair': 'warn', thermal: 'warn', nvlink: 'warn' });
    // Still hot: no new thermal event; cooler: the check passes again.
    expect(t.observe(snap([healthy(0, { temperatureC: 88, throttleReasons: ['HwThermalSlowdown'] })]), T).events.map((e) => e.kind)).toEqual(['remapped-rows', 'nvlink']);
    expect(status(t.observe(snap([healthy(0)]), T).checks).thermal).toBe('pass');
  });

  it('fails closed: failed reads and missing GPUs are failures, reported when they start', () => {
    const t = new HealthTracker([0, 1, 2]);
    const first = t.observe(snap([healthy(0)], [{ gpu: 1, call: 'nvmlDeviceGetTemperature', error: 'GPU is lost (15)' }]), T);
    expect(first.events).toEqual([
      { kind: 'nvml-failure', time: T, gpu: 1, call: 'nvmlDeviceGetTemperature', error: 'GPU is lost (15)' },
      { kind: 'nvml-failure', time: T, gpu: 2, call: 'device', error: 'the GPU no longer answers' },
    ]);
    expect(first.checks[0]).toMatchObject({ name: 'gpu-readings', status: 'fail' });
    expect(t.observe(snap([healthy(0)], [{ gpu: 1, call: 'nvmlDeviceGetTemperature', error: 'GPU is lost (15)' }]), T).events).toEqual([]);
    // A read that failed as a whole is one failure, not one per GPU.
    const whole = t.observe(snap([], [{ call: 'nvml sample', error: 'no answer within 10s' }]), T);
    expect(whole.events).toEqual([{ kind: 'nvml-failure', time: T, call: 'nvml sample', error: 'no answer within 10s' }]);
  });

  it('reports a down link at the first look only when other links are up', () => {
    const t = new HealthTracker([0, 1]);
    const ev = t.observe(
      snap([
        healthy(0, { nvlinks: [{ link: 0, up: true }, { link: 1, up: false }] }),
        healthy(1, { nvlinks: [{ link: 0, up: false }] }),
      ]),
      T,
    );
    expect(ev.events).toEqual([{ kind: 'nvlink', time: T, gpu: 0, link: 1, state: 'down' }]);
  });
});

describe('urgency', () => {
  it('sends fatal XIDs, notices, failed reads, new uncorrectable errors and failed diagnostics at once', () => {
    expect(isUrgent({ kind: 'xid', time: T, xid: 79, message: '' })).toBe(true);
    expect(isUrgent({ kind: 'xid', time: T, xid: 13, message: '' })).toBe(false);
    expect(isUrgent({ kind: 'xid', time: T, xid: 154, message: 'to 0x2 (Node Reboot Required)' })).toBe(true);
    expect(isUrgent({ kind: 'preemption', time: T, cloud: 'aws', action: 'rebalance' })).toBe(true);
    expect(isUrgent({ kind: 'nvml-failure', time: T, call: 'x', error: 'y' })).toBe(true);
    expect(isUrgent({ kind: 'thermal', time: T, gpu: 0, temperatureC: 90, throttleReasons: [] })).toBe(false);
    expect(isUrgent({ kind: 'diagnostic', time: T, level: 1, passed: false, message: '' })).toBe(true);
    expect(eventKey({ kind: 'nvlink', time: T, gpu: 1, link: 3, state: 'down' })).toBe('nvlink|1|3');
  });
});
