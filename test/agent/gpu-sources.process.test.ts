/**
 * The agent's real GPU paths, run as a process: NVML through koffi in its sampling thread (against
 * a fake libnvidia-ml built from fixtures/fake-nvml.c, which has NVML's C ABI), and the nvidia-smi
 * fallback against a recorded nvidia-smi on PATH. Also: undelivered reports survive a restart.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HealthEvent } from '../../src/model/index.js';
import { startAgent, waitFor, type AgentProcess } from './agent-process.js';
import { buildFakeNvml, compiler } from './fake-nvml.js';
import { startControlPlane, type ControlPlaneUnderTest } from './control-plane.js';

const FIXTURE_BIN = join(import.meta.dirname, 'fixtures/bin');
/** The NVML tests build a stand-in library; without a C compiler they are skipped. */
const hasCompiler = compiler() !== undefined;
let cp: ControlPlaneUnderTest;
let dir: string;
let lib: string | undefined;
const running: AgentProcess[] = [];

beforeAll(async () => {
  cp = await startControlPlane({ intervals: { heartbeatIntervalSec: 1, healthIntervalSec: 1, commandPollIntervalSec: 1 } });
  dir = await mkdtemp(join(tmpdir(), 'navarch-agent-gpu-'));
  lib = buildFakeNvml(dir);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
  expect(cp.malformed?.() ?? []).toEqual([]);
});
afterAll(async () => {
  await cp.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function start(args: string[], env: Record<string, string> = {}) {
  const nodeId = `gpu-${++n}`;
  const agent = startAgent(['run', '--server', cp.url, '--node-id', nodeId, '--cloud', 'none', '--no-kmsg', ...args], {
    NAVARCH_NODE_TOKEN: await cp.tokenFor(nodeId),
    ...env,
  });
  running.push(agent);
  return { nodeId, agent };
}

describe('the NVML source (koffi, sampling thread) against a library with NVML\'s ABI', () => {
  it.skipIf(!hasCompiler)('reads inventory and readings', async () => {
    if (!lib) throw new Error('the fake NVML library was not built');
    const { nodeId } = await start(['--gpu-source', 'nvml', '--nvml-lib', lib, '--dcgm', 'off'], { FAKE_NVML_GPUS: '4', FAKE_NVML_ECC_UNCORRECTED: '2' });
    const reg = await waitFor(async () => (await cp.registrations(nodeId))[0], 20_000, 'registration');
    expect(reg.gpus.map((g) => g.pciBusId)).toEqual(['00000000:18:00.0', '00000000:2A:00.0', '00000000:3A:00.0', '00000000:5D:00.0']);
    expect(reg.gpus[0]).toMatchObject({ name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, driverVersion: '550.54.15', cudaVersion: '12.4' });
    const checks = Object.fromEntries(reg.bootChecks.map((c) => [c.name, c]));
    expect(checks['driver']?.status).toBe('pass');
    expect(checks['ecc']).toMatchObject({ status: 'fail' });
    expect(checks['ecc']?.message).toContain('GPU 0: 2 uncorrectable');
    const hb = await waitFor(async () => (await cp.heartbeats(nodeId))[0], 10_000, 'a heartbeat');
    expect(hb.gpus[1]).toMatchObject({ index: 1, temperatureC: 41, powerW: 121.5, utilizationPct: 51, memoryUsedMiB: 1025, memoryTotalMiB: 81559 });
    const ecc = await waitFor(async () => (await cp.reports(nodeId)).flatMap((r) => r.events).find((e) => e.kind === 'ecc'), 10_000, 'the ECC event');
    expect(ecc).toMatchObject({ gpu: 0, volatileUncorrected: 2, aggregateUncorrected: 2, volatileCorrected: 1, aggregateCorrected: 7 });
  });

  it.skipIf(!hasCompiler)('reports a call that hangs in the driver as a failure, keeps running, and still stops', async () => {
    if (!lib) throw new Error('the fake NVML library was not built');
    const { nodeId, agent } = await start(['--gpu-source', 'nvml', '--nvml-lib', lib, '--sample-timeout', '1s', '--dcgm', 'off'], {
      FAKE_NVML_GPUS: '4',
      FAKE_NVML_HANG: 'nvmlDeviceGetTemperature@2',
    });
    const reg = await waitFor(async () => (await cp.registrations(nodeId))[0], 20_000, 'registration');
    const readings = reg.bootChecks.find((c) => c.name === 'gpu-readings');
    expect(readings?.status).toBe('fail');
    expect(readings?.message).toContain('nvmlDeviceGetTemperature');
    expect(readings?.message).toContain('GPU 2');
    const failure = await waitFor(
      async () => (await cp.reports(nodeId)).flatMap((r) => r.events).find((e): e is Extract<HealthEvent, { kind: 'nvml-failure' }> => e.kind === 'nvml-failure'),
      10_000,
      'the nvml-failure event',
    );
    expect(failure).toMatchObject({ gpu: 2, call: 'nvmlDeviceGetTemperature' });
    await waitFor(async () => (await cp.heartbeats(nodeId)).length >= 2, 10_000, 'heartbeats despite the hang');
    expect(await agent.stop(15_000)).toBe(0);
  });

  it('fails the boot checks, closed, when the library cannot be loaded', async () => {
    const { nodeId } = await start(['--gpu-source', 'nvml', '--nvml-lib', join(dir, 'missing.so'), '--dcgm', 'off']);
    const reg = await waitFor(async () => (await cp.registrations(nodeId))[0], 20_000, 'registration');
    const byName = Object.fromEntries(reg.bootChecks.map((c) => [c.name, c]));
    expect(byName['driver']?.status).toBe('fail');
    expect(byName['driver']?.message).toContain('missing.so');
    expect(byName['gpu-count']?.status).toBe('fail');
    expect(reg.gpus).toEqual([]);
  });
});

describe('the nvidia-smi fallback', () => {
  it('is used when NVML is missing, with the exact queries nvidia-smi is asked', async () => {
    const { nodeId } = await start(['--gpu-source', 'auto', '--nvml-lib', join(dir, 'missing.so'), '--expect-gpus', '2'], {
      PATH: `${FIXTURE_BIN}:${process.env['PATH'] ?? ''}`,
    });
    const reg = await waitFor(async () => (await cp.registrations(nodeId))[0], 20_000, 'registration');
    const byName = Object.fromEntries(reg.bootChecks.map((c) => [c.name, c]));
    expect(byName['driver']).toMatchObject({ status: 'pass', message: 'driver 550.54.15 (read through nvidia-smi)' });
    expect(byName['gpu-count']?.status).toBe('pass');
    expect(byName['ecc']?.status).toBe('fail');
    expect(byName['memory-repair']?.status).toBe('warn');
    expect(byName['nvlink']).toMatchObject({ status: 'warn', message: 'inactive: GPU 1 link 1' });
    expect(byName['dcgm-diag']?.status).toBe('pass');
    const hb = await waitFor(async () => (await cp.heartbeats(nodeId))[0], 10_000, 'a heartbeat');
    expect(hb.gpus).toEqual([
      { index: 0, temperatureC: 34, powerW: 71.52, utilizationPct: 0, memoryUsedMiB: 4, memoryTotalMiB: 81559 },
      { index: 1, temperatureC: 36, powerW: 113.97, utilizationPct: 87, memoryUsedMiB: 40211, memoryTotalMiB: 81559 },
    ]);
  });

  it('falls back to the pre-R535 clock field name', async () => {
    const { nodeId } = await start(['--gpu-source', 'nvidia-smi', '--dcgm', 'off'], { PATH: `${FIXTURE_BIN}:${process.env['PATH'] ?? ''}`, FAKE_SMI_LEGACY: '1' });
    const reg = await waitFor(async () => (await cp.registrations(nodeId))[0], 20_000, 'registration');
    expect(reg.bootChecks.find((c) => c.name === 'thermal')).toMatchObject({ status: 'warn', message: 'GPU 1: 36°C (HwThermalSlowdown)' });
  });
});

describe('state across restarts', () => {
  it('delivers after a restart what it could not deliver before', async () => {
    const stateDir = join(dir, 'state');
    const kmsg = join(dir, 'restart.kmsg');
    await writeFile(kmsg, '');
    const nodeId = 'restart-1';
    const token = await cp.tokenFor(nodeId);
    const args = ['run', '--server', cp.url, '--node-id', nodeId, '--cloud', 'none', '--fake-gpus', '2', '--kmsg', kmsg, '--kmsg-from-start', '--state-dir', stateDir];
    const first = startAgent(args, { NAVARCH_NODE_TOKEN: token });
    running.push(first);
    await waitFor(async () => (await cp.registrations(nodeId)).length > 0, 20_000, 'registration');
    await cp.stop();
    await appendFile(kmsg, 'NVRM: Xid (PCI:0000:18:00): 79, pid=1, name=x, GPU has fallen off the bus.\n');
    await waitFor(() => first.stderr.includes('XID 79'), 5_000, 'the XID to be seen');
    expect(await first.stop()).toBe(0);
    await cp.resume();
    // The second run does not read the kernel log: the XID can only come from the saved state.
    const second = startAgent([...args.filter((a) => a !== '--kmsg-from-start' && a !== kmsg && a !== '--kmsg'), '--no-kmsg'], { NAVARCH_NODE_TOKEN: token });
    running.push(second);
    const xid = await waitFor(async () => (await cp.reports(nodeId)).flatMap((r) => r.events).find((e) => e.kind === 'xid'), 20_000, 'the saved XID');
    expect(xid).toMatchObject({ xid: 79, gpu: 0 });
  });
});
