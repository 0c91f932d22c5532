/** What goes over the wire to EC2, checked on the server side, and how EC2's answers come back. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG, type ProvisionRequest } from '../../../src/model/index.js';
import { clientToken } from '../../../src/providers/aws/index.js';
import { providerFailure } from '../../helpers/provider-requests.js';
import { API_VERSION } from './ec2-server.js';
import { EC2_ERROR_TABLE } from './error-table.js';
import { ACCESS_KEY_ID, AMI_EAST, AMI_WEST, awsTestbed, ec2Request, SECRET_ACCESS_KEY, SESSION_TOKEN, SUBNETS, type AwsTestbed } from './harness.js';

/** The request these tests send: the pool carries the label `team: vision`. */
const request = (over: Partial<ProvisionRequest> = {}): ProvisionRequest => ec2Request(over, { team: 'vision' });

let bed: AwsTestbed;
beforeEach(async () => {
  bed = await awsTestbed();
});
afterEach(async () => {
  await bed.close();
});

describe('RunInstances request', () => {
  it('is an EC2 Query POST signed with SigV4 for the placement region', async () => {
    await bed.provider.provision(request());
    const run = bed.server.calls('RunInstances')[0];
    expect(run?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(run?.params['Action']).toBe('RunInstances');
    expect(run?.params['Version']).toBe(API_VERSION);
    expect(run?.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/us-east-1/ec2/aws4_request, SignedHeaders=[^,]*x-amz-date[^,]*, Signature=[0-9a-f]{64}$`));
    expect(run?.securityToken).toBeUndefined();
  });

  it('carries the image, type, subnet, security groups, key, profile, token and tags from navarch.yaml and the request', async () => {
    await bed.provider.provision(request({ userData: '#!/bin/sh\nexec navarch-agent --token-file /etc/navarch/token\n' }));
    const p = bed.server.calls('RunInstances')[0]?.params ?? {};
    expect(p).toMatchObject({
      ImageId: AMI_EAST,
      InstanceType: 'p5.48xlarge',
      MinCount: '1',
      MaxCount: '1',
      SubnetId: SUBNETS['us-east-1a'],
      'SecurityGroupId.1': 'sg-0123abcd',
      'SecurityGroupId.2': 'sg-0456ef01',
      KeyName: 'gpu-admins',
      'IamInstanceProfile.Name': 'navarch-node',
      ClientToken: clientToken('research', 'train-1', 1),
      'TagSpecification.1.ResourceType': 'instance',
      'TagSpecification.2.ResourceType': 'volume',
    });
    expect(p['ClientToken']?.length).toBeLessThanOrEqual(64);
    expect(p['Placement.AvailabilityZone']).toBeUndefined();
    expect(Object.keys(p).some((k) => k.startsWith('InstanceMarketOptions'))).toBe(false);
    expect(Buffer.from(p['UserData'] ?? '', 'base64').toString('utf8')).toBe('#!/bin/sh\nexec navarch-agent --token-file /etc/navarch/token\n');

    const launched = [...bed.server.world.instances.values()][0];
    expect(launched?.tags).toEqual({
      Name: 'train-1',
      'cost-center': 'ml-research',
      'navarch-managed-by': 'navarch',
      'navarch-fleet': 'research',
      'navarch-pool': 'train',
      'navarch-node': 'train-1',
      'navarch-provider-tags': 'Name,cost-center',
      team: 'vision',
    });
    expect(launched?.otherTags['volume']).toEqual(launched?.tags);
    expect(launched?.userData).toContain('navarch-agent');
  });

  it('uses the AMI and subnets of the region it launches in', async () => {
    await bed.provider.provision(request({ region: 'us-west-2', zone: 'us-west-2a' }));
    const run = bed.server.calls('RunInstances')[0];
    expect(run?.region).toBe('us-west-2');
    expect(run?.params).toMatchObject({ ImageId: AMI_WEST, SubnetId: SUBNETS['us-west-2a'] });
  });

  it('asks for spot with the pool price cap and reports the instance as spot', async () => {
    const inst = await bed.provider.provision(request({ spot: true, maxPricePerHour: 28 }));
    expect(bed.server.calls('RunInstances')[0]?.params).toMatchObject({
      'InstanceMarketOptions.MarketType': 'spot',
      'InstanceMarketOptions.SpotOptions.MaxPrice': '28',
      'InstanceMarketOptions.SpotOptions.SpotInstanceType': 'one-time',
      'InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior': 'terminate',
    });
    expect(inst.spot).toBe(true);
    expect((await bed.provider.list({ tags: { [TAG.node]: 'train-1' } }))[0]?.spot).toBe(true);
  });

  it('names an instance profile by ARN when given one', async () => {
    await bed.close();
    bed = await awsTestbed({ settings: { iam_instance_profile: 'arn:aws:iam::123456789012:instance-profile/gpu' } });
    await bed.provider.provision(request());
    expect(bed.server.calls('RunInstances')[0]?.params['IamInstanceProfile.Arn']).toBe('arn:aws:iam::123456789012:instance-profile/gpu');
  });

  it('signs with a session token when the credentials are temporary', async () => {
    await bed.close();
    bed = await awsTestbed({ env: { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: SESSION_TOKEN } });
    await bed.provider.list({ tags: {} });
    expect(bed.server.requests.every((r) => r.securityToken === SESSION_TOKEN)).toBe(true);
  });
});

describe('DescribeInstances request', () => {
  it('filters by every tag and by live states, and asks for full pages', async () => {
    await bed.provider.list({ tags: { [TAG.fleet]: 'research', [TAG.pool]: 'train' } });
    const calls = bed.server.calls('DescribeInstances');
    expect(calls.map((c) => c.region).sort()).toEqual(['us-east-1', 'us-west-2']);
    expect(calls[0]?.params).toEqual({
      Action: 'DescribeInstances',
      Version: API_VERSION,
      'Filter.1.Name': 'tag:navarch-fleet',
      'Filter.1.Value.1': 'research',
      'Filter.2.Name': 'tag:navarch-pool',
      'Filter.2.Value.1': 'train',
      'Filter.3.Name': 'instance-state-name',
      'Filter.3.Value.1': 'pending',
      'Filter.3.Value.2': 'running',
      'Filter.3.Value.3': 'stopping',
      'Filter.3.Value.4': 'stopped',
      MaxResults: '1000',
    });
  });

  it('escapes filter wildcards so a value matches only itself', async () => {
    bed.server.seed({ region: 'us-east-1', tags: { [TAG.fleet]: 'research-a' } });
    expect(await bed.provider.list({ tags: { [TAG.fleet]: 'research*' } })).toEqual([]);
    expect(bed.server.calls('DescribeInstances')[0]?.params['Filter.1.Value.1']).toBe('research\\*');
  });
});

describe('EC2 error documents', () => {
  // InvalidInstanceID.NotFound and IdempotentParameterMismatch are answered by the provider itself (see the provision tests).
  const wireTable = EC2_ERROR_TABLE.filter(([code, , c]) => c !== 'not-found' && code !== 'IdempotentParameterMismatch');
  it.each(wireTable)('%s with HTTP %i fails provision as %s, naming the code and the zone', async (code, status, errorClass) => {
    bed.server.inject({ action: 'RunInstances', code, status, message: `${code} happened` });
    const err = await providerFailure(bed.provider.provision(request()));
    expect(err.errorClass).toBe(errorClass);
    expect(err.providerCode).toBe(code);
    expect(err.location).toBe('us-east-1a');
    expect(err.provider).toBe('ec2');
    expect(err.message).toContain(`${code} happened`);
  });

  it('a list error names the region', async () => {
    bed.server.inject({ action: 'DescribeInstances', region: 'us-west-2', code: 'RequestLimitExceeded', status: 503 });
    const err = await providerFailure(bed.provider.list({ tags: {} }));
    expect(err).toMatchObject({ errorClass: 'throttled', location: 'us-west-2', providerCode: 'RequestLimitExceeded' });
  });

  it('a lost reply is a transient error', async () => {
    bed.server.dropReplies('DescribeInstances');
    const err = await providerFailure(bed.provider.list({ tags: {} }));
    expect(err.errorClass).toBe('transient');
  });

  it('the SDK does not retry on its own: apply owns retries', async () => {
    bed.server.inject({ action: 'RunInstances', code: 'RequestLimitExceeded', status: 503 });
    await providerFailure(bed.provider.provision(request()));
    expect(bed.server.calls('RunInstances')).toHaveLength(1);
  });

  it('signing with an unknown key is an auth error', async () => {
    await bed.close();
    bed = await awsTestbed({ env: { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000', AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY } });
    const err = await providerFailure(bed.provider.list({ tags: {} }));
    expect(err).toMatchObject({ errorClass: 'auth', providerCode: 'AuthFailure' });
  });

  it('no credentials anywhere in the chain is an auth error', async () => {
    await bed.close();
    bed = await awsTestbed({ env: {} });
    const saved = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
    delete process.env['AWS_ACCESS_KEY_ID'];
    delete process.env['AWS_SECRET_ACCESS_KEY'];
    try {
      const err = await providerFailure(bed.provider.list({ tags: {} }));
      expect(err.errorClass).toBe('auth');
      expect(bed.server.requests).toHaveLength(0);
    } finally {
      if (saved.id !== undefined) process.env['AWS_ACCESS_KEY_ID'] = saved.id;
      if (saved.secret !== undefined) process.env['AWS_SECRET_ACCESS_KEY'] = saved.secret;
    }
  });
});
