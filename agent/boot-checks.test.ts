import { describe, expect, it } from 'vitest';
import { bootChecks } from './boot-checks.js';
import { FakeGpuSource, type OpenedGpus } from './gpu/index.js';

async function opened(gpus: number): Promise<OpenedGpus> {
  const source = new FakeGpuSource({ spec: { gpus } });
  return { source, inventory: await source.inventory() };
}

const status = (checks: Array<{ name: string; status: string }>) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

describe('bootChecks', () => {
  it('passes when the count matches and the driver answers', async () => {
    const checks = await bootChecks({ gpus: await opened(8), firstChecks: [], expectGpus: 8, dcgm: 'off' });
    expect(status(checks)).toEqual({ driver: 'pass', 'gpu-count': 'pass' });
    expect(checks[0]?.message).toBe('driver 550.54.15, CUDA 12.4 (read through fake)');
  });

  it('fails a GPU short of what the instance type promises', async () => {
    const checks = await bootChecks({ gpus: await opened(7), firstChecks: [], expectGpus: 8, dcgm: 'off' });
    expect(checks.find((c) => c.name === 'gpu-count')).toEqual({ name: 'gpu-count', status: 'fail', message: 'found 7 GPUs; the instance type promises 8' });
  });

  it('fails closed without a driver, naming every source tried', async () => {
    const source = new FakeGpuSource({ spec: {} });
    const checks = await bootChecks({
      gpus: {
        source,
        failure: { call: 'dlopen', error: 'cannot load libnvidia-ml.so.1' },
        attempts: [
          { kind: 'nvml', failure: { call: 'dlopen', error: 'cannot load libnvidia-ml.so.1' } },
          { kind: 'nvidia-smi', failure: { call: 'nvidia-smi', error: 'not found' } },
        ],
      },
      firstChecks: [],
      dcgm: 'off',
    });
    expect(checks).toEqual([
      { name: 'driver', status: 'fail', message: 'no GPU source could read the GPUs (nvml: cannot load libnvidia-ml.so.1; nvidia-smi: not found)' },
      { name: 'gpu-count', status: 'fail', message: 'no GPUs found' },
    ]);
  });

  it('adds the first readings\' checks and DCGM\'s quick diagnostic when installed', async () => {
    const levels: number[] = [];
    const checks = await bootChecks({
      gpus: await opened(2),
      firstChecks: [{ name: 'ecc', status: 'fail', message: 'GPU 1: 2 uncorrectable ECC errors' }],
      dcgm: 'auto',
      dcgmiBinary: '/bin/true',
      diag: async (_b, level) => {
        levels.push(level);
        return { level, passed: true, message: 'dcgmi diag -r 1 passed' };
      },
    });
    expect(levels).toEqual([1]);
    expect(status(checks)).toEqual({ driver: 'pass', 'gpu-count': 'pass', ecc: 'fail', 'dcgm-diag': 'pass' });
  });
});
