/**
 * navarch on Lambda from a user's seat: the built CLI run as a process on a config repository whose
 * Lambda provider points at the loopback cloud. Plans, applies with failover, and checks that the
 * API key never shows in plans, the status file, logs or errors.
 */
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG } from '../../../src/model/index.js';
import { parseStatus } from '../../../src/status/index.js';
import { removeDir, runCli, type CliRun } from '../../helpers/cli.js';
import { TEST_API_KEY } from './harness.js';
import { LambdaCloudServer } from './server.js';

let dir: string;
let server: LambdaCloudServer;

async function repo(extraSettings = ''): Promise<void> {
  await writeFile(
    join(dir, 'navarch.yaml'),
    [
      'fleet: gpu-lab',
      'providers:',
      '  lam:',
      '    type: lambda',
      `    endpoint: ${server.url}`,
      '    ssh_key_names: [navarch-ops]',
      '    regions: [us-east-1, us-west-1]',
      '    request_interval: 0s',
      '    launch_interval: 0s',
      extraSettings,
    ].join('\n'),
  );
  await mkdir(join(dir, 'pools'), { recursive: true });
  await writeFile(join(dir, 'pools/train.yaml'), 'provider: lam\ninstance_type: gpu_1x_h100_pcie\nmin_nodes: 2\nlabels: { team: research }\n');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-lambda-'));
  server = await LambdaCloudServer.start({ apiKey: TEST_API_KEY, retryAfterSeconds: undefined, echoAuthorization: true });
  await repo();
});
afterEach(async () => {
  await server.close();
  await removeDir(dir);
});

const navarch = (args: string[], key = TEST_API_KEY, env: Record<string, string> = {}): Promise<CliRun> =>
  runCli([...args, '--dir', dir], { env: { LAMBDA_API_KEY: key, ...env } });

/** Every text navarch wrote: output, errors, logs, saved plans and the status file. */
async function everything(runs: CliRun[]): Promise<string> {
  const files = await Promise.all(['status/fleet.yaml', 'plan.json'].map((f) => readFile(join(dir, f), 'utf8').catch(() => '')));
  return [...runs.flatMap((r) => [r.stdout, r.stderr]), ...files].join('\n');
}

describe('navarch on Lambda Cloud', () => {
  it('plans, applies and records the fleet; the API key shows nowhere', async () => {
    const debug = { NAVARCH_LOG_LEVEL: 'debug' };
    const planFile = join(dir, 'plan.json');
    const plan = await navarch(['plan', '--out', planFile], TEST_API_KEY, debug);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    const applied = await navarch(['apply', planFile], TEST_API_KEY, debug);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');

    expect(server.cloud.instances.map((i) => i.name).sort()).toEqual(['nv.gpu-lab.train-1', 'nv.gpu-lab.train-2']);
    expect(server.cloud.instances[0]?.tags).toContainEqual({ key: 'team', value: 'research' });
    const status = parseStatus(await readFile(join(dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
    expect(status.nodes.map((n) => [n.name, n.provider, n.region, n.instance_type])).toEqual([
      ['train-1', 'lam', 'us-east-1', 'gpu_1x_h100_pcie'],
      ['train-2', 'lam', 'us-east-1', 'gpu_1x_h100_pcie'],
    ]);

    const again = await navarch(['plan', '--detailed-exitcode', '--json'], TEST_API_KEY, debug);
    expect(again.code).toBe(0);
    expect(await readFile(planFile, 'utf8')).toContain('"gpu_1x_h100_pcie"');
    // Requests did carry the key; nothing navarch wrote does.
    expect(server.log.every((r) => r.authorization === `Bearer ${TEST_API_KEY}`)).toBe(true);
    expect(await everything([plan, applied, again])).not.toContain(TEST_API_KEY);
  });

  it('fails over to the next region when a launch runs out of capacity, and says so', async () => {
    server.cloud.inject('launch', 'capacity', 1);
    const r = await navarch(['apply', '--auto-approve', '--concurrency', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/lam us-east-1 unavailable, trying lam us-west-1/);
    const status = parseStatus(await readFile(join(dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
    const moved = status.nodes.find((n) => n.region === 'us-west-1');
    expect(moved?.placement_note).toBe('lam us-east-1: instance-operations/launch/insufficient-capacity → lam us-west-1');
  });

  it('plans regions Lambda reports without capacity last, so no launch is spent there', async () => {
    server.cloud.capacity = { gpu_1x_h100_pcie: { 'us-east-1': 0 } };
    const r = await navarch(['apply', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('unavailable, trying');
    expect(server.cloud.instances.map((i) => i.region)).toEqual(['us-west-1', 'us-west-1']);
    expect(server.log.filter((l) => l.path.endsWith('/launch')).every((l) => l.status === 200)).toBe(true);
  });

  it('reports a rejected key without the key, even when the API echoes it back', async () => {
    const wrong = 'lambda-test-key-WRONG-0c4e2f9a77';
    const plan = await navarch(['plan'], wrong);
    const applied = await navarch(['apply', '--auto-approve'], wrong);
    // An unlistable provider is an observation gap: its pools are left alone and the plan says why.
    for (const r of [plan, applied]) {
      expect(r.stdout).toMatch(/provider "lam" could not be listed \(lambda GET \/instances failed: global\/invalid-api-key: .*\); pools placed on it are left unchanged/);
      expect(r.stderr).toMatch(/error: provider "lam" could not be listed/);
      expect(r.code).toBe(1); // a script must not mistake a run that could not see a cloud for success
    }
    const all = await everything([plan, applied]);
    expect(all).not.toContain(wrong);
    expect(all).toContain('[REDACTED]');
    expect(server.cloud.instances).toEqual([]);
  });

  it('reads the key from api_key_file', async () => {
    await writeFile(join(dir, '.lambda-key'), `${TEST_API_KEY}\n`);
    await repo('    api_key_file: .lambda-key');
    const r = await runCli(['apply', '--auto-approve', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(server.cloud.instances.every((i) => i.tags.some((t) => t.key === TAG.fleet && t.value === 'gpu-lab'))).toBe(true);
    expect(await everything([r])).not.toContain(TEST_API_KEY);
  });

  it('says where the key is looked for when there is none', async () => {
    const r = await runCli(['apply', '--auto-approve', '--dir', dir]);
    expect(r.stdout).toMatch(/provider "lam" could not be listed \(lambda GET \/instances failed: no API key: set LAMBDA_API_KEY in the environment, or api_key_file/);
    expect(r.code).toBe(1);
    expect(server.log).toEqual([]);
  });
});
