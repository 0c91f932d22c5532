/**
 * An AWS provider built exactly as navarch builds one (registry → factory → settings), talking
 * through the real SDK to a loopback EC2. Credentials, region and endpoint are explicit, and the
 * SDK's shared config files and instance metadata are switched off, so nothing leaves the machine.
 */
import { silentLogger, type Logger } from '../../../src/log/index.js';
import { ManualClock, type ProviderConfig, type ProvisionRequest } from '../../../src/model/index.js';
import type { AwsProvider } from '../../../src/providers/aws/index.js';
import { createProvider } from '../../../src/providers/index.js';
import { navarchTags, provisionRequest } from '../../helpers/provider-requests.js';
import { FakeEc2Server, type FakeEc2Options } from './ec2-server.js';

/** A recognisable fake key pair: tests look for it in everything navarch prints or writes. */
export const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLESESSIONTOKENnavarchtest0123456789';

export const AMI_EAST = 'ami-0a1b2c3d4e5f60718';
export const AMI_WEST = 'ami-0f1e2d3c4b5a69788';
export const SUBNETS = {
  'us-east-1a': 'subnet-0aaa1111',
  'us-east-1b': 'subnet-0bbb2222',
  'us-west-2a': 'subnet-0ccc3333',
} as const;
export const SECURITY_GROUPS = ['sg-0123abcd', 'sg-0456ef01'];
export const KEY_NAME = 'gpu-admins';

/** Keeps the SDK away from ~/.aws and the instance metadata service for the whole test file. */
export function isolateSdkEnvironment(): void {
  process.env['AWS_CONFIG_FILE'] = '/nonexistent/navarch-test/aws-config';
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent/navarch-test/aws-credentials';
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  delete process.env['AWS_PROFILE'];
}

/** The settings navarch.yaml would carry for the test provider, pointed at `endpoint`. */
export function awsSettings(endpoint: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    regions: ['us-east-1', 'us-west-2'],
    ami: { 'us-east-1': AMI_EAST, 'us-west-2': AMI_WEST },
    subnets: { ...SUBNETS },
    security_groups: SECURITY_GROUPS,
    key_name: KEY_NAME,
    iam_instance_profile: 'navarch-node',
    endpoint,
    tags: { 'cost-center': 'ml-research' },
    ...over,
  };
}

/**
 * A loopback EC2, not yet started, that knows the test images, subnets, security groups and key
 * pair and accepts requests signed with ACCESS_KEY_ID; `over` replaces any of those.
 */
export function fakeEc2(over: Partial<FakeEc2Options> = {}): FakeEc2Server {
  return new FakeEc2Server({
    accessKeyId: ACCESS_KEY_ID,
    images: [AMI_EAST, AMI_WEST],
    subnets: Object.fromEntries(Object.entries(SUBNETS).map(([zone, id]) => [id, zone])),
    securityGroups: SECURITY_GROUPS,
    keyNames: [KEY_NAME],
    ...over,
  });
}

/**
 * A request for a `p5.48xlarge` in `us-east-1a` for node `train-1` (or `over.nodeName`) of pool
 * `train` in fleet `research`, tagged as apply tags it, with the pool's `labels`.
 */
export function ec2Request(over: Partial<ProvisionRequest> = {}, labels: Record<string, string> = {}): ProvisionRequest {
  const nodeName = over.nodeName ?? 'train-1';
  return provisionRequest(nodeName, {
    instanceType: 'p5.48xlarge',
    region: 'us-east-1',
    zone: 'us-east-1a',
    tags: navarchTags('research', 'train', nodeName, labels),
    ...over,
  });
}

export interface AwsTestbed {
  server: FakeEc2Server;
  provider: AwsProvider;
  clock: ManualClock;
  close(): Promise<void>;
}

/** A started loopback EC2 and a provider named `name` pointed at it. */
export async function awsTestbed(
  options: {
    pageSize?: number;
    name?: string;
    settings?: Record<string, unknown>;
    env?: Record<string, string>;
    logger?: Logger;
    /** The key id the server accepts (default: ACCESS_KEY_ID). */
    serverAccessKeyId?: string;
  } = {},
): Promise<AwsTestbed> {
  isolateSdkEnvironment();
  const server = fakeEc2({ accessKeyId: options.serverAccessKeyId ?? ACCESS_KEY_ID, pageSize: options.pageSize ?? 1000 });
  await server.start();
  const clock = new ManualClock();
  const config: ProviderConfig = {
    name: options.name ?? 'ec2',
    type: 'aws',
    settings: awsSettings(server.url, options.settings),
    source: { file: 'navarch.yaml', line: 1, column: 1 },
  };
  const provider = (await createProvider(config, {
    root: '/nonexistent/navarch-test',
    clock,
    logger: options.logger ?? silentLogger,
    env: options.env ?? { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, AWS_REGION: 'us-east-1' },
  })) as AwsProvider;
  return {
    server,
    provider,
    clock,
    async close() {
      provider.close();
      await server.close();
    },
  };
}
