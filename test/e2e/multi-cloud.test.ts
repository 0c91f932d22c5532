/**
 * examples/multi-cloud from a user's seat: one pool whose placements are AWS, then GCP, then Lambda.
 * AWS and GCP are out of capacity (on their loopback APIs, through the real SDKs), so `navarch apply`
 * lands the nodes on Lambda, and its output and the status file say why.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseStatus } from '../../src/status/index.js';
import { copyExample, removeDir, runCli } from '../helpers/cli.js';
import { FakeEc2Server } from '../clouds/aws/ec2-server.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY } from '../clouds/aws/harness.js';
import { contractFault, PROJECT, startGcp, type GcpTestbed } from '../clouds/gcp/harness.js';
import { TEST_API_KEY } from '../clouds/lambda/harness.js';
import { LambdaCloudServer } from '../clouds/lambda/server.js';

interface ProviderDoc {
  ami: string;
  subnets: Record<string, string>;
  security_groups: string[];
  key_name: string;
  [k: string]: unknown;
}

let dir: string;
let ec2: FakeEc2Server;
let gcp: GcpTestbed;
let lambda: LambdaCloudServer;

beforeAll(async () => {
  dir = await copyExample('multi-cloud');
  const nav = parse(await readFile(join(dir, 'navarch.yaml'), 'utf8')) as { providers: Record<string, Record<string, unknown>> };
  const aws = nav.providers['aws'] as ProviderDoc;
  // Each loopback cloud knows exactly the resources the example names.
  ec2 = new FakeEc2Server({
    accessKeyId: ACCESS_KEY_ID,
    images: [aws.ami],
    subnets: Object.fromEntries(Object.entries(aws.subnets).map(([zone, id]) => [id, zone])),
    securityGroups: aws.security_groups,
    keyNames: [aws.key_name],
  });
  await ec2.start();
  for (const zone of Object.keys(aws.subnets)) ec2.setCapacity('p5.48xlarge', zone, 0);
  gcp = await startGcp();
  gcp.server.fail('insert', contractFault('provision', 'capacity', 'us-central1-a'), 100);
  lambda = await LambdaCloudServer.start({ apiKey: TEST_API_KEY, sshKeys: ['research-ops'] });

  aws['endpoint'] = ec2.url;
  Object.assign(nav.providers['gcp'] ?? {}, { endpoint: gcp.server.url, project: PROJECT });
  Object.assign(nav.providers['lambda'] ?? {}, { endpoint: lambda.url, request_interval: '0s', launch_interval: '0s' });
  await writeFile(join(dir, 'navarch.yaml'), stringify(nav));
});

afterAll(async () => {
  await ec2.close();
  await gcp.close();
  await lambda.close();
  await removeDir(dir);
});

const env = (): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  GOOGLE_APPLICATION_CREDENTIALS: gcp.key.file,
  METADATA_SERVER_DETECTION: 'none',
  HOME: dir,
  LAMBDA_API_KEY: TEST_API_KEY,
});

describe('examples/multi-cloud', () => {
  it('lands on Lambda when AWS and GCP are out of capacity, and says why', async () => {
    const applied = await runCli(['apply', '--dir', dir, '--auto-approve', '--concurrency', '1'], { env: env() });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    expect(applied.stdout).toMatch(/aws us-east-1a unavailable, trying aws us-east-1b/);
    expect(applied.stdout).toMatch(/aws us-east-1b unavailable, trying gcp us-central1-a/);
    expect(applied.stdout).toMatch(/gcp us-central1-c unavailable, trying lambda us-east-1/);
    expect(applied.stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');

    expect(lambda.cloud.instances.filter((i) => i.terminatedAt === undefined)).toHaveLength(2);
    expect(gcp.server.state.instances.size).toBe(0);

    const status = parseStatus(await readFile(join(dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
    expect(status.nodes.map((n) => `${n.name}@${n.provider}`)).toEqual(['train-1@lambda', 'train-2@lambda']);
    for (const n of status.nodes) {
      expect(n.placement_note).toBe(
        'aws us-east-1a: InsufficientInstanceCapacity; aws us-east-1b: InsufficientInstanceCapacity; ' +
          'gcp us-central1-a: ZONE_RESOURCE_POOL_EXHAUSTED; gcp us-central1-c: ZONE_RESOURCE_POOL_EXHAUSTED → lambda us-east-1',
      );
    }

    const again = await runCli(['plan', '--dir', dir, '--detailed-exitcode'], { env: env() });
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
  });
});
