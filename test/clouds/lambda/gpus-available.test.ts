/**
 * `navarch gpus --available` against the loopback Lambda cloud: live capacity from the providers a
 * repository declares, prices from the catalog.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, type TestRun } from '../../../src/cli/testing.js';
import { ManualClock } from '../../../src/model/index.js';
import { removeDir } from '../../helpers/cli.js';
import { TEST_API_KEY } from './harness.js';
import { LambdaCloudServer } from './server.js';

let dir: string;
let server: LambdaCloudServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-gpus-'));
  server = await LambdaCloudServer.start({
    apiKey: TEST_API_KEY,
    capacity: { gpu_1x_h100_pcie: { 'us-east-1': 0, 'europe-central-1': 0 }, gpu_8x_h100_sxm5: { 'us-east-1': 0, 'us-east-3': 0, 'us-west-1': 0, 'us-south-1': 0, 'europe-central-1': 0 } },
  });
  await writeFile(
    join(dir, 'navarch.yaml'),
    `fleet: lab\nproviders:\n  lam:\n    type: lambda\n    endpoint: ${server.url}\n    request_interval: 0s\n`,
  );
});
afterEach(async () => {
  await server.close();
  await removeDir(dir);
});

const gpus = (args: string[], env: Record<string, string> = { LAMBDA_API_KEY: TEST_API_KEY }): Promise<TestRun> =>
  runCommand(['gpus', '--available', ...args], { env, cwd: dir, clock: new ManualClock(Date.parse('2026-03-01T12:00:00Z')) });

const rows = (out: string): string[][] => {
  const lines = out.split('\n');
  return lines.slice(1, lines.indexOf('')).map((l) => l.split(/\s{2,}/));
};

describe('navarch gpus --available', () => {
  it('lists only types with capacity now, over the regions that have it, priced by the catalog', async () => {
    const r = await gpus(['--gpu', 'h100']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // 8x H100 has no capacity anywhere; 1x H100 PCIe has it in three regions, one the catalog lacks.
    expect(rows(r.out).map((row) => [row[0], row[1], row[7], row[10]])).toEqual([['lambda', 'gpu_1x_h100_pcie', '3.29', 'us-west-1 +2']]);
    expect(r.out).toContain('Live capacity from lam (lambda) at 2026-03-01T12:00:00.000Z');
    expect(server.calls('GET', '/instance-types')).toHaveLength(1);
    expect(server.cloud.instances).toEqual([]);
  });

  it('gives the live regions and who was asked in JSON, and the types the catalog lacks', async () => {
    const r = await gpus(['--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as {
      availability: { checked_at: string; providers: unknown[]; uncatalogued: unknown[] };
      instance_types: Array<{ instance_type: string; regions: Array<{ region: string; on_demand: number | null }> }>;
    };
    expect(doc.availability).toEqual({
      checked_at: '2026-03-01T12:00:00.000Z',
      providers: [{ name: 'lam', type: 'lambda', available: 18, error: null }],
      uncatalogued: [{ provider: 'lambda', instance_type: 'gpu_8x_x900_sxm9', regions: ['europe-central-1', 'us-east-1', 'us-east-3', 'us-south-1', 'us-west-1'] }],
    });
    const pcie = doc.instance_types.find((t) => t.instance_type === 'gpu_1x_h100_pcie');
    expect(pcie?.regions.map((g) => [g.region, g.on_demand])).toEqual([
      ['us-west-1', 3.29],
      ['us-south-1', 3.29],
      ['us-east-3', 3.29],
    ]);
    expect(doc.instance_types.map((t) => t.instance_type)).not.toContain('gpu_8x_h100_sxm5');
    expect(new Set(doc.instance_types.map((t) => t.instance_type))).toEqual(new Set(['gpu_1x_a10', 'gpu_1x_gh200', 'gpu_1x_h100_pcie']));
  });

  it('says so when nothing with capacity matches', async () => {
    const r = await gpus(['--gpu', 'h100', '--gpus', '8']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^No instance types with capacity now match\.\nLive capacity from lam \(lambda\)/);
  });

  it('fails clearly when the only provider cannot answer, without showing the key', async () => {
    const wrong = 'lambda-test-key-WRONG-51d0e7ab93';
    const r = await gpus([], { LAMBDA_API_KEY: wrong });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: could not get live availability \(lam: lambda GET \/instance-types failed: global\/invalid-api-key: /);
    expect(r.out + r.err).not.toContain(wrong);
  });

  it('fails clearly when no declared provider is of the asked type', async () => {
    const r = await gpus(['--provider', 'gcp']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: no provider of type gcp is declared in ./navarch.yaml (declared: lam (lambda))');
  });

  it('names the repository it could not read', async () => {
    const r = await gpus(['--dir', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: directory \S+nowhere does not exist$/m);
  });
});
