import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { FakeGpuSource, parseFakeSpec, specFile } from './fake.js';
import { guardedSample } from './guard.js';
import { openGpus } from './select.js';

describe('FakeGpuSource', () => {
  it('has eight healthy H100s by default', async () => {
    const f = new FakeGpuSource({ spec: {}, now: () => 5 });
    const inv = await f.inventory();
    expect(inv.gpus).toHaveLength(8);
    expect(inv.gpus[7]?.pciBusId).toBe('00000000:DB:00.0');
    const s = await f.sample();
    expect(s.time).toBe(5);
    expect(s.failures).toEqual([]);
    expect(s.gpus[0]?.nvlinks).toHaveLength(18);
    expect(s.gpus[0]?.remappedRows).toEqual({ correctable: 0, uncorrectable: 0, pending: false, failure: false });
  });

  it('injects faults', async () => {
    const f = new FakeGpuSource({
      spec: {
        gpus: 4,
        memoryRepair: 'retired-pages',
        faults: [
          { kind: 'missing', gpu: 3 },
          { kind: 'ecc', gpu: 1, volatileUncorrected: 2 },
          { kind: 'retired-pages', gpu: 0, pending: true },
          { kind: 'temperature', gpu: 2, value: 91 },
          { kind: 'throttle', gpu: 2, reasons: ['HwSlowdown'] },
          { kind: 'nvlink-down', gpu: 0, link: 4 },
          { kind: 'nvml-error', gpu: 2, call: 'nvmlDeviceGetPowerUsage', error: 'Unknown Error' },
          { kind: 'nvml-error', gpu: 1, error: 'GPU is lost' },
        ],
      },
    });
    expect((await f.inventory()).gpus.map((g) => g.index)).toEqual([0, 1, 2]);
    const s = await f.sample();
    expect(s.gpus.map((g) => g.index)).toEqual([0, 2]); // 3 is gone, 1 cannot be read
    expect(s.gpus[0]?.retiredPages?.pending).toBe(true);
    expect(s.gpus[0]?.nvlinks?.find((l) => l.link === 4)?.up).toBe(false);
    expect(s.gpus[1]).toMatchObject({ temperatureC: 91, throttleReasons: ['HwSlowdown'] });
    expect(s.failures).toEqual([
      { gpu: 2, call: 'nvmlDeviceGetPowerUsage', error: 'Unknown Error' },
      { gpu: 1, call: 'nvmlDeviceGetHandleByIndex_v2', error: 'GPU is lost' },
    ]);
  });

  it('hangs when told to, and the guard turns that into a failure', async () => {
    const f = new FakeGpuSource({ spec: { faults: [{ kind: 'hang' }] } });
    const s = await guardedSample(f, 20, () => 7);
    expect(s).toEqual({ time: 7, gpus: [], failures: [{ call: 'fake sample', error: 'no answer within 0s' }], incomplete: true });
  });

  it('fails its inventory when the driver is not loaded', async () => {
    const opened = await openGpus({ choice: 'fake', timeoutMs: 1000, log: silentLogger, fakeGpus: 2 });
    expect(opened.inventory?.gpus).toHaveLength(2);
    const broken = new FakeGpuSource({ spec: { faults: [{ kind: 'init-failure', error: 'Driver Not Loaded' }] } });
    await expect(broken.inventory()).rejects.toThrow('Driver Not Loaded');
  });

  it('re-reads its spec file when it changes, and keeps the last good one when it breaks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'navarch-fake-'));
    try {
      const path = join(dir, 'spec.json');
      await writeFile(path, JSON.stringify({ gpus: 2 }));
      const spec = specFile(path, { gpus: 8 });
      expect(spec().gpus).toBe(2);
      await writeFile(path, JSON.stringify({ gpus: 3, faults: [{ kind: 'missing', gpu: 0 }] }));
      expect(spec()).toMatchObject({ gpus: 3, faults: [{ kind: 'missing', gpu: 0 }] });
      await writeFile(path, '{ broken');
      expect(spec().gpus).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(() => parseFakeSpec('[]')).toThrow('JSON object');
    expect(() => parseFakeSpec('{"gpus": -1}')).toThrow('whole number');
    expect(parseFakeSpec('{}', { gpus: 4 })).toEqual({ gpus: 4 });
  });
});
