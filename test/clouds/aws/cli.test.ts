/**
 * The built `navarch` CLI, as a user runs it, on a repository whose pool lives on AWS (the loopback
 * EC2): plan, apply with a zone failover, a clean re-plan, and a recognisable fake key that must
 * never show up in anything navarch prints or writes.
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, type CliRun } from '../../helpers/cli.js';
import type { FakeEc2Server } from './ec2-server.js';
import { ACCESS_KEY_ID, AMI_EAST, fakeEc2, KEY_NAME, SECRET_ACCESS_KEY, SECURITY_GROUPS, SESSION_TOKEN, SUBNETS } from './harness.js';

const SECRETS = [SECRET_ACCESS_KEY, SESSION_TOKEN, ACCESS_KEY_ID];

let server: FakeEc2Server;
let dir: string;
const outputs: CliRun[] = [];

const env = (): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN: SESSION_TOKEN,
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  NAVARCH_LOG_LEVEL: 'debug',
});

async function navarch(...args: string[]): Promise<CliRun> {
  const run = await runCli([...args, '--dir', dir], { env: env() });
  outputs.push(run);
  return run;
}

/** Every file under `root`, as text. */
async function filesUnder(root: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, text: await readFile(path, 'utf8') });
  }
  return out;
}

beforeAll(async () => {
  server = fakeEc2({ images: [AMI_EAST] });
  await server.start();
  server.setCapacity('p5.48xlarge', 'us-east-1a', 0);
  dir = await mkdtemp(join(tmpdir(), 'navarch-aws-cli-'));
  await mkdir(join(dir, 'pools'));
  await writeFile(
    join(dir, 'navarch.yaml'),
    [
      'fleet: research',
      'providers:',
      '  ec2:',
      '    type: aws',
      '    regions: [us-east-1]',
      `    ami: { us-east-1: ${AMI_EAST} }`,
      `    subnets: { us-east-1a: ${SUBNETS['us-east-1a']}, us-east-1b: ${SUBNETS['us-east-1b']} }`,
      `    security_groups: [${SECURITY_GROUPS[0] ?? ''}]`,
      `    key_name: ${KEY_NAME}`,
      `    endpoint: ${server.url}`,
      '    tags: { cost-center: ml-research }',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'pools', 'train.yaml'),
    ['provider: ec2', 'instance_type: p5.48xlarge', 'region: us-east-1', 'zones: [us-east-1a, us-east-1b]', 'min_nodes: 2', 'labels: { team: research }', ''].join('\n'),
  );
});

afterAll(async () => {
  await server.close();
  await removeDir(dir);
});

describe('navarch on AWS', () => {
  it('validates the provider settings', async () => {
    const run = await navarch('validate');
    expect(run.stderr + run.stdout).not.toMatch(/error/i);
    expect(run.code).toBe(0);
  });

  it('plans two nodes', async () => {
    const run = await navarch('plan');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
  });

  it('applies them, failing over from the full zone and saying so in the status file', async () => {
    const run = await navarch('apply', '--auto-approve');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('InsufficientInstanceCapacity');
    const live = [...server.world.instances.values()].filter((i) => i.state === 'pending' || i.state === 'running');
    expect(live.map((i) => i.zone)).toEqual(['us-east-1b', 'us-east-1b']);
    expect(live.map((i) => i.tags['navarch-node']).sort()).toEqual(['train-1', 'train-2']);
    const status = await readFile(join(dir, 'status', 'fleet.yaml'), 'utf8');
    expect(status).toContain('ec2 us-east-1a: InsufficientInstanceCapacity → ec2 us-east-1b');
  });

  it('then plans no changes: provider tags are not mistaken for labels', async () => {
    server.settle();
    const run = await navarch('plan', '--detailed-exitcode');
    expect(run.stdout).toContain('No changes.');
    expect(run.code).toBe(0);
  });

  it('reports an auth failure without echoing credentials, even when the cloud does', async () => {
    server.inject({
      action: 'DescribeInstances',
      code: 'AuthFailure',
      status: 401,
      message: `AWS was not able to validate the provided access credentials (key ${ACCESS_KEY_ID}, secret ${SECRET_ACCESS_KEY}, token ${SESSION_TOKEN})`,
    });
    const run = await navarch('plan', '--json');
    // A provider that cannot be listed leaves its pools alone, with a warning naming the cloud's error.
    const warnings = (JSON.parse(run.stdout) as { warnings: string[] }).warnings.join('\n');
    expect(warnings).toContain('AuthFailure');
    expect(warnings).toContain('[REDACTED]');
  });

  it('stops an apply on an auth failure, without echoing credentials', async () => {
    await writeFile(
      join(dir, 'pools', 'train.yaml'),
      (await readFile(join(dir, 'pools', 'train.yaml'), 'utf8')).replace('min_nodes: 2', 'min_nodes: 3'),
    );
    server.inject({
      action: 'RunInstances',
      code: 'UnauthorizedOperation',
      status: 403,
      message: `You are not authorized to perform this operation. (signed with ${ACCESS_KEY_ID}/${SECRET_ACCESS_KEY})`,
    });
    const run = await navarch('apply', '--auto-approve');
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('UnauthorizedOperation');
    expect(Object.values(server.calls('RunInstances').at(-1)?.params ?? {})).toContain('train-3');
    expect([...server.world.instances.values()].filter((i) => i.state === 'running')).toHaveLength(2);
  });

  it('never prints or writes the credentials', async () => {
    await navarch('plan', '--json');
    await navarch('status', '--json');
    const texts = [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...(await filesUnder(dir)).map((f) => f.text)];
    for (const secret of SECRETS) {
      for (const text of texts) expect(text.includes(secret), `found ${secret.slice(0, 8)}... in output`).toBe(false);
    }
    // They did reach the cloud, signed: the test would prove nothing otherwise.
    expect(server.requests.some((r) => r.authorization?.includes(ACCESS_KEY_ID) && r.securityToken === SESSION_TOKEN)).toBe(true);
  });
});
