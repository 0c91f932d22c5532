/**
 * The bundle drives real clouds: one pool each on AWS, Google Cloud and Lambda (their loopback
 * APIs, reached through the real SDKs bundled in dist/action's lazily loaded chunks), applied on a
 * push to main, with every credential kept out of what the action printed, wrote and pushed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatus } from '../../src/status/index.js';
import { FakeEc2Server } from '../clouds/aws/ec2-server.js';
import { ACCESS_KEY_ID, AMI_EAST, KEY_NAME, SECRET_ACCESS_KEY, SECURITY_GROUPS, SESSION_TOKEN, SUBNETS } from '../clouds/aws/harness.js';
import { writeServiceAccountKey, type ServiceAccountKey } from '../clouds/gcp/credentials.js';
import { catalogZones, PROJECT } from '../clouds/gcp/harness.js';
import { ComputeServer } from '../clouds/gcp/server.js';
import { TEST_API_KEY } from '../clouds/lambda/harness.js';
import { LambdaCloudServer } from '../clouds/lambda/server.js';
import { startBench, type Bench } from './fleet.js';

let bench: Bench;
let ec2: FakeEc2Server;
let gce: ComputeServer;
let lambda: LambdaCloudServer;
let key: ServiceAccountKey;
let keyDir: string;

beforeAll(async () => {
  bench = await startBench();
  ec2 = new FakeEc2Server({
    accessKeyId: ACCESS_KEY_ID,
    images: [AMI_EAST],
    subnets: Object.fromEntries(Object.entries(SUBNETS).map(([zone, id]) => [id, zone])),
    securityGroups: SECURITY_GROUPS,
    keyNames: [KEY_NAME],
  });
  await ec2.start();
  gce = new ComputeServer({ project: PROJECT, zones: catalogZones() });
  await gce.start();
  keyDir = await mkdtemp(join(tmpdir(), 'navarch-action-gcp-'));
  key = await writeServiceAccountKey(keyDir, PROJECT, `${gce.url}/token`);
  gce.trust(key);
  lambda = await LambdaCloudServer.start({ apiKey: TEST_API_KEY, retryAfterSeconds: undefined });
});
afterAll(async () => {
  await Promise.all([bench.close(), ec2.close(), gce.close(), lambda.close()]);
  await rm(keyDir, { recursive: true, force: true });
});

describe('the bundled action on AWS, Google Cloud and Lambda', () => {
  it('applies a pool on each cloud on a push to main', async () => {
    const navarchYaml = [
      'fleet: research',
      'providers:',
      '  ec2:',
      '    type: aws',
      '    regions: [us-east-1]',
      `    ami: { us-east-1: ${AMI_EAST} }`,
      `    subnets: { us-east-1a: ${SUBNETS['us-east-1a']} }`,
      `    security_groups: [${SECURITY_GROUPS[0] ?? ''}]`,
      `    key_name: ${KEY_NAME}`,
      `    endpoint: ${ec2.url}`,
      '  gce:',
      '    type: gcp',
      `    project: ${PROJECT}`,
      `    endpoint: ${gce.url}`,
      '  lam:',
      '    type: lambda',
      `    endpoint: ${lambda.url}`,
      '    ssh_key_names: [navarch-ops]',
      '    regions: [us-east-1]',
      '    request_interval: 0s',
      '    launch_interval: 0s',
      '',
    ].join('\n');
    const f = await bench.fleet({
      extra: {
        'navarch.yaml': navarchYaml,
        'pools/train.yaml': 'provider: ec2\ninstance_type: p5.48xlarge\nregion: us-east-1\nzones: [us-east-1a]\nmin_nodes: 1\n',
        'pools/tune.yaml': 'providers:\n  - name: gce\n    regions: [us-central1]\n    zones: [us-central1-a]\ninstance_type: g2-standard-4\nmin_nodes: 1\n',
        'pools/serve.yaml': 'provider: lam\ninstance_type: gpu_1x_h100_pcie\nmin_nodes: 1\n',
      },
    });
    const env = {
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(keyDir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(keyDir, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      GOOGLE_APPLICATION_CREDENTIALS: key.file,
      METADATA_SERVER_DETECTION: 'none',
      LAMBDA_API_KEY: TEST_API_KEY,
      NAVARCH_LOG_LEVEL: 'debug',
    };
    const run = await f.push(await f.head(), await f.mainCheckout(), {}, env);
    expect(run.failure).toBeUndefined();
    expect(run.code).toBe(0);
    expect(run.outputs['summary']).toBe('Plan: 3 to add, 0 to change, 0 to destroy.');
    const status = parseStatus(await bench.git.git(f.name, ['show', 'main:status/fleet.yaml']), 'status/fleet.yaml');
    expect(status.nodes.map((n) => `${n.pool}@${n.provider}`).sort()).toEqual(['serve@lam', 'train@ec2', 'tune@gce']);

    const written = [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs), await bench.git.git(f.name, ['log', '-p', 'main'])].join('\n');
    for (const secret of [SECRET_ACCESS_KEY, SESSION_TOKEN, TEST_API_KEY, ...key.privateKeyPem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))]) {
      expect(written).not.toContain(secret);
    }
  });
});
