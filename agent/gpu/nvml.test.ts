/**
 * The koffi binding against a library with NVML's C ABI (test/agent/fixtures/fake-nvml.c, built
 * here when a C compiler is present): struct layouts, out-parameters, error codes, NOT_SUPPORTED,
 * a lost GPU, and the sampling thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildFakeNvml } from '../../test/agent/fake-nvml.js';
import { cudaVersionText, cString, openNvml, type Nvml } from './nvml-binding.js';
import { NvmlSource } from './nvml.js';
import { clockEventReasons } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'navarch-nvml-'));
const lib = buildFakeNvml(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('FAKE_NVML_')) delete process.env[k];
  Object.assign(process.env, saved);
});

/** The fake reads its environment on every call, so each test sets what it needs first. */
async function open(env: Record<string, string> = {}): Promise<Nvml> {
  Object.assign(process.env, env);
  return openNvml(lib as string);
}

describe.skipIf(!lib)('NVML binding (koffi)', () => {
  it('reads the inventory through nvmlPciInfo_t v3 and string buffers', async () => {
    const nvml = await open({ FAKE_NVML_GPUS: '3' });
    const inv = nvml.inventory();
    expect(inv.driverVersion).toBe('550.54.15');
    expect(inv.cudaVersion).toBe('12.4');
    expect(inv.failures).toEqual([]);
    expect(inv.gpus.map((g) => g.pciBusId)).toEqual(['00000000:18:00.0', '00000000:2A:00.0', '00000000:3A:00.0']);
    expect(inv.gpus[2]).toMatchObject({ index: 2, uuid: 'GPU-fa4e0000-0000-4000-8000-000000000002', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 });
    nvml.shutdown();
  });

  it('reads memory through the versioned v2 call, reserved memory apart, and falls back to v1', async () => {
    const v2 = await open({ FAKE_NVML_GPUS: '1' });
    expect(v2.sample().gpus[0]).toMatchObject({ memoryUsedMiB: 1024, memoryTotalMiB: 81559 });
    v2.shutdown();
    // A driver without the v2 call: v1 counts the driver's reserved 512 MiB as used.
    const v1 = await open({ FAKE_NVML_GPUS: '1', FAKE_NVML_NO_V2: '1' });
    const s = v1.sample();
    expect(s.failures).toEqual([]);
    expect(s.gpus[0]).toMatchObject({ memoryUsedMiB: 1536, memoryTotalMiB: 81559 });
    v1.shutdown();
  });

  it('reads every signal with the right argument order', async () => {
    const nvml = await open({ FAKE_NVML_GPUS: '2', FAKE_NVML_ECC_UNCORRECTED: '4', FAKE_NVML_REMAP_PENDING: '1', FAKE_NVML_NVLINK_DOWN: '1:17' });
    const s = nvml.sample();
    expect(s.failures).toEqual([]);
    expect(s.gpus[0]).toMatchObject({
      temperatureC: 40,
      powerW: 120.5,
      utilizationPct: 50,
      memoryUsedMiB: 1024,
      memoryTotalMiB: 81559,
      ecc: { volatileCorrected: 1, volatileUncorrected: 4, aggregateCorrected: 7, aggregateUncorrected: 4 },
      remappedRows: { correctable: 2, uncorrectable: 0, pending: true, failure: false },
      throttleReasons: ['GpuIdle'],
    });
    expect(s.gpus[1]?.throttleReasons).toEqual(['SwPowerCap', 'HwThermalSlowdown']);
    expect(s.gpus[1]?.nvlinks).toHaveLength(18);
    expect(s.gpus[1]?.nvlinks?.[17]).toEqual({ link: 17, up: false });
    nvml.shutdown();
  });

  it('treats NOT_SUPPORTED as absent: no row remapping means retired pages are read', async () => {
    const nvml = await open({ FAKE_NVML_GPUS: '1', FAKE_NVML_FAIL: 'nvmlDeviceGetRemappedRows:3,nvmlDeviceGetNvLinkState:3,nvmlDeviceGetTotalEccErrors:3' });
    const s = nvml.sample();
    expect(s.failures).toEqual([]);
    expect(s.gpus[0]?.remappedRows).toBeUndefined();
    expect(s.gpus[0]?.retiredPages).toEqual({ singleBit: 3, doubleBit: 1, pending: false });
    expect(s.gpus[0]?.nvlinks).toBeUndefined();
    expect(s.gpus[0]?.ecc).toBeUndefined();
    nvml.shutdown();
  });

  it('reports other errors with NVML\'s words, and stops reading a lost GPU', async () => {
    const nvml = await open({ FAKE_NVML_GPUS: '2', FAKE_NVML_FAIL: 'nvmlDeviceGetTemperature@1:15,nvmlDeviceGetUtilizationRates@0:999' });
    const s = nvml.sample();
    expect(s.failures).toEqual([
      { gpu: 0, call: 'nvmlDeviceGetUtilizationRates', error: 'Unknown Error (999)' },
      { gpu: 1, call: 'nvmlDeviceGetTemperature', error: 'GPU is lost (15)' },
    ]);
    expect(s.gpus[0]?.ecc).toBeDefined(); // reading went on after a non-fatal error
    expect(s.gpus[1]).toEqual({ index: 1, memoryTotalMiB: 81559, memoryUsedMiB: 1025 }); // and stopped at the lost GPU
    nvml.shutdown();
  });

  it('fails to open when init fails', async () => {
    await expect(open({ FAKE_NVML_INIT: '9' })).rejects.toThrow('nvmlInit_v2: Driver Not Loaded (9)');
  });

  it('runs in a sampling thread and names the call in errors', async () => {
    process.env['FAKE_NVML_GPUS'] = '2';
    const src = new NvmlSource({ libPath: lib as string, timeoutMs: 10_000, now: () => 42 });
    try {
      expect((await src.inventory()).gpus).toHaveLength(2);
      const s = await src.sample();
      expect(s.time).toBe(42);
      expect(s.gpus).toHaveLength(2);
      expect(src.wedged).toBe(false);
    } finally {
      await src.close();
    }
    const missing = new NvmlSource({ libPath: join(dir, 'nope.so'), timeoutMs: 10_000 });
    await expect(missing.inventory()).rejects.toMatchObject({ call: 'dlopen' });
    await missing.close();
  });
});

describe('NVML helpers', () => {
  it('decodes C strings, CUDA versions and clock-event bits', () => {
    expect(cString('550.54.15\0\0garbage')).toBe('550.54.15');
    expect(cudaVersionText(12040)).toBe('12.4');
    expect(cudaVersionText(11080)).toBe('11.8');
    expect(clockEventReasons(0x1e4n)).toEqual(['SwPowerCap', 'SwThermalSlowdown', 'HwThermalSlowdown', 'HwPowerBrakeSlowdown', 'DisplayClockSetting']);
  });
});
