import { describe, expect, it } from 'vitest';
import type { HealthEvent } from '../model/index.js';
import { classifyCheck, classifyEvent, classifyTemperatures, gpuLabel, normalizePci } from './classify.js';
import { classifySensors } from './sensors.js';

const T = { thermalDegradedC: 85, thermalUnhealthyC: 92 };
const GPUS = [
  { index: 0, pciBusId: '00000000:18:00.0' },
  { index: 3, pciBusId: '00000000:3B:00.0' },
];
const time = '2026-01-01T00:00:00Z';

describe('PCI addresses', () => {
  it.each([
    ['0000:3b:00', '0000:3b:00.0'],
    ['PCI:0000:3b:00', '0000:3b:00.0'],
    ['00000000:3B:00.0', '0000:3b:00.0'],
    ['3b:00.0', '0000:3b:00.0'],
    ['not a pci id', 'not a pci id'],
  ])('%s reads as %s', (input, expected) => {
    expect(normalizePci(input)).toBe(expected);
  });

  it('names a GPU by index and address, filling in whichever the event left out', () => {
    expect(gpuLabel(GPUS, 3, undefined)).toBe('GPU 3 (0000:3b:00.0)');
    expect(gpuLabel(GPUS, undefined, '0000:3b:00')).toBe('GPU 3 (0000:3b:00.0)');
    expect(gpuLabel([], 5, undefined)).toBe('GPU 5');
    expect(gpuLabel([], undefined, '0000:af:00')).toBe('GPU at 0000:af:00.0');
    expect(gpuLabel([], undefined, undefined)).toBe('');
  });
});

describe('events', () => {
  const xid = (n: number, extra: Partial<Extract<HealthEvent, { kind: 'xid' }>> = {}): HealthEvent => ({ kind: 'xid', time, xid: n, message: '', ...extra });

  it('words a fatal XID the way an operator reads it', () => {
    expect(classifyEvent(xid(79, { gpu: 3, pci: '0000:3b:00' }), GPUS, T)).toEqual({
      severity: 'replace',
      reason: 'XID 79 on GPU 3 (0000:3b:00.0): GPU has fallen off the bus',
      xid: 79,
      gpu: 3,
      label: 'XID 79',
    });
    // A GPU named by its PCI address alone is found by index among the registered ones.
    expect(classifyEvent(xid(79, { pci: '0000:3b:00' }), GPUS, T)).toMatchObject({ gpu: 3, label: 'XID 79' });
    expect(classifyEvent(xid(79, { pci: '0000:99:00' }), GPUS, T)).not.toHaveProperty('gpu');
  });

  it.each([
    [13, 'info'],
    [48, 'reset'],
    [63, 'degraded'],
    [64, 'replace'],
    [74, 'reset'],
    [92, 'degraded'],
    [94, 'info'],
    [95, 'reset'],
    [145, 'reset'],
  ])('XID %i is %s', (n, severity) => {
    expect(classifyEvent(xid(n, { gpu: 0 }), GPUS, T)?.severity).toBe(severity);
  });

  it('ignores XID 43 and keeps application errors off the node', () => {
    expect(classifyEvent(xid(43), GPUS, T)).toBeUndefined();
    expect(classifyEvent(xid(13, { gpu: 0 }), GPUS, T)?.reason).toBe('XID 13 on GPU 0 (0000:18:00.0): Graphics engine exception (application error; the node stays)');
  });

  it('replaces on double-bit ECC errors and failed row remapping', () => {
    const ecc: HealthEvent = { kind: 'ecc', time, gpu: 3, volatileCorrected: 10, volatileUncorrected: 2, aggregateCorrected: 10, aggregateUncorrected: 2 };
    expect(classifyEvent(ecc, GPUS, T)).toMatchObject({ severity: 'replace', reason: 'ECC double-bit errors on GPU 3 (0000:3b:00.0): 2 uncorrected since the driver loaded' });
    expect(classifyEvent({ ...ecc, volatileUncorrected: 0, aggregateUncorrected: 0 }, GPUS, T)).toBeUndefined();
    const rows: HealthEvent = { kind: 'remapped-rows', time, gpu: 0, correctable: 0, uncorrectable: 1, pending: false, failure: true };
    expect(classifyEvent(rows, GPUS, T)?.severity).toBe('replace');
    expect(classifyEvent({ ...rows, failure: false, pending: true }, GPUS, T)?.severity).toBe('degraded');
  });

  it('judges temperatures against the configured thresholds', () => {
    const hot: HealthEvent = { kind: 'thermal', time, gpu: 0, temperatureC: 93, throttleReasons: [] };
    expect(classifyEvent(hot, GPUS, T)?.severity).toBe('unhealthy');
    expect(classifyEvent({ ...hot, temperatureC: 86 }, GPUS, T)?.severity).toBe('degraded');
    expect(classifyEvent({ ...hot, temperatureC: 70, throttleReasons: ['HwThermalSlowdown'] }, GPUS, T)?.reason).toContain('HwThermalSlowdown');
    expect(classifyEvent({ ...hot, temperatureC: 93 }, GPUS, { thermalDegradedC: 95, thermalUnhealthyC: 99 })).toBeUndefined();
  });

  it('fails closed when NVML fails', () => {
    const e: HealthEvent = { kind: 'nvml-failure', time, gpu: 3, call: 'nvmlDeviceGetTemperature', error: 'GPU is lost' };
    expect(classifyEvent(e, GPUS, T)).toEqual({
      severity: 'unhealthy',
      reason: 'NVML nvmlDeviceGetTemperature failed on GPU 3 (0000:3b:00.0): GPU is lost',
      gpu: 3,
      label: 'NVML nvmlDeviceGetTemperature failed',
    });
  });

  it('treats a preemption notice as the end of the node, a rebalance as a warning', () => {
    const notice: HealthEvent = { kind: 'preemption', time, cloud: 'aws', action: 'terminate', at: '2026-01-01T00:02:00Z' };
    expect(classifyEvent(notice, GPUS, T)).toEqual({ severity: 'preempt', reason: 'spot preemption notice (aws terminate at 2026-01-01T00:02:00Z)' });
    expect(classifyEvent({ ...notice, action: 'rebalance' }, GPUS, T)?.severity).toBe('degraded');
  });

  it('reads NVLink and diagnostics', () => {
    expect(classifyEvent({ kind: 'nvlink', time, gpu: 0, link: 2, state: 'down' }, GPUS, T)?.reason).toBe('NVLink 2 on GPU 0 (0000:18:00.0) is down');
    expect(classifyEvent({ kind: 'nvlink', time, gpu: 0, link: 2, state: 'up' }, GPUS, T)).toBeUndefined();
    expect(classifyEvent({ kind: 'diagnostic', time, level: 2, passed: false, message: 'memory test' }, GPUS, T)?.severity).toBe('unhealthy');
  });
});

describe('checks and heartbeats', () => {
  it('fails, warns or passes', () => {
    expect(classifyCheck({ name: 'nvidia-smi', status: 'fail', message: 'exit 9' })).toEqual({ severity: 'unhealthy', reason: 'check nvidia-smi failed: exit 9' });
    expect(classifyCheck({ name: 'disk', status: 'warn', message: '91% full' })?.severity).toBe('degraded');
    expect(classifyCheck({ name: 'disk', status: 'pass', message: '' })).toBeUndefined();
  });

  it('judges the hottest GPU of a heartbeat', () => {
    const f = classifyTemperatures([{ index: 0, temperatureC: 60 }, { index: 3, temperatureC: 94 }, { index: 1 }], GPUS, T);
    expect(f).toEqual({ severity: 'unhealthy', reason: 'GPU 3 (0000:3b:00.0) at 94°C (unhealthy from 92°C)', gpu: 3, label: '94°C' });
    expect(classifyTemperatures([{ index: 0, temperatureC: 60 }], GPUS, T)).toBeUndefined();
    expect(classifyTemperatures([], GPUS, T)).toBeUndefined();
  });

  it('takes a reading no GPU produces for a broken sensor, not for the GPU', () => {
    const samples = [{ index: 0, temperatureC: 255, powerW: 4294967.295 }, { index: 3, temperatureC: 70, utilizationPct: 100, memoryUsedMiB: 81559 }];
    expect(classifyTemperatures(samples, GPUS, T)).toBeUndefined();
    expect(classifySensors(samples, GPUS)).toEqual([
      {
        severity: 'unhealthy',
        reason: 'sensor fault on GPU 0 (0000:18:00.0): the temperature sensor reads 255°C, more than any GPU reaches (150°C); the GPU cannot be watched',
        gpu: 0,
        label: 'temperature sensor fault',
      },
      {
        severity: 'unhealthy',
        reason: 'sensor fault on GPU 0 (0000:18:00.0): the power sensor reads 4294967.295 W, more than any GPU reaches (5000 W); the GPU cannot be watched',
        gpu: 0,
        label: 'power sensor fault',
      },
    ]);
    expect(classifyEvent({ kind: 'thermal', time, gpu: 3, temperatureC: 65535, throttleReasons: [] }, GPUS, T)?.reason).toMatch(/^sensor fault on GPU 3 \(0000:3b:00\.0\): the temperature sensor reads 65535°C/);
  });
});
