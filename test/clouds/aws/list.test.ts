/** Listing across regions and pages, instance states, terminating by id alone, replacing labels. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, TAG } from '../../../src/model/index.js';
import { PROVIDER_TAGS_KEY } from '../../../src/providers/aws/index.js';
import { providerFailure } from '../../helpers/provider-requests.js';
import { awsTestbed, ec2Request, type AwsTestbed } from './harness.js';

let bed: AwsTestbed;
beforeEach(async () => {
  bed = await awsTestbed({ pageSize: 5 });
});
afterEach(async () => {
  await bed.close();
});

const fleet = (name: string, extra: Record<string, string> = {}): Record<string, string> => ({ [TAG.fleet]: name, ...extra });

describe('list', () => {
  it('follows NextToken to the end in every region', async () => {
    for (let i = 0; i < 12; i++) bed.server.seed({ region: 'us-east-1', tags: fleet('paged', { [TAG.node]: `e-${i}` }) });
    for (let i = 0; i < 7; i++) bed.server.seed({ region: 'us-west-2', tags: fleet('paged', { [TAG.node]: `w-${i}` }) });
    const listed = await bed.provider.list({ tags: fleet('paged') });
    expect(listed).toHaveLength(19);
    expect(new Set(listed.map((i) => i.id)).size).toBe(19);
    const east = bed.server.calls('DescribeInstances').filter((c) => c.region === 'us-east-1');
    expect(east.map((c) => c.params['NextToken'] !== undefined)).toEqual([false, true, true]);
    expect(listed.filter((i) => i.region === 'us-west-2').map((i) => i.tags[TAG.node]).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `w-${i}`).sort(),
    );
  });

  it('reports instances under the provider name of navarch.yaml, not its type', async () => {
    await bed.close();
    bed = await awsTestbed({ name: 'prod-gpus' });
    bed.server.seed({ region: 'us-east-1', tags: fleet('f') });
    const [inst] = await bed.provider.list({ tags: fleet('f') });
    expect(inst?.provider).toBe('prod-gpus');
    expect(bed.provider.name).toBe('prod-gpus');
    expect(bed.provider.type).toBe('aws');
  });

  it('maps EC2 states and leaves out what is shutting down or terminated', async () => {
    const states = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;
    for (const state of states) bed.server.seed({ region: 'us-east-1', tags: fleet('s', { [TAG.node]: state }), state });
    const listed = await bed.provider.list({ tags: fleet('s') });
    const byNode = Object.fromEntries(listed.map((i) => [i.tags[TAG.node], i.state]));
    expect(byNode).toEqual({ pending: 'pending', running: 'running', stopping: 'stopping', stopped: 'failed' });
  });

  it('reports zone, type, addresses and launch time', async () => {
    const seeded = bed.server.seed({ region: 'us-west-2', zone: 'us-west-2c', instanceType: 'g6.xlarge', tags: fleet('f') });
    const [inst] = await bed.provider.list({ tags: fleet('f') });
    expect(inst).toEqual({
      id: seeded.id,
      provider: 'ec2',
      region: 'us-west-2',
      zone: 'us-west-2c',
      instanceType: 'g6.xlarge',
      spot: false,
      state: 'running',
      tags: fleet('f'),
      launchedAt: seeded.launchTime,
      privateIp: seeded.privateIp,
      publicIp: seeded.publicIp,
    });
  });

  it('keeps AWS and provider-settings tags out of the instance tags, so they never read as labels', async () => {
    const inst = await bed.provider.provision(ec2Request({ tags: { ...fleet('f'), [TAG.node]: 'train-1', team: 'research' } }));
    const server = bed.server.world.instances.get(inst.id);
    if (server) server.tags['aws:ec2launchtemplate:id'] = 'lt-0123';
    const [listed] = await bed.provider.list({ tags: fleet('f') });
    expect(listed?.tags).toEqual({ ...fleet('f'), [TAG.node]: 'train-1', team: 'research' });
    expect(inst.tags).toEqual(listed?.tags);
    expect(server?.tags['cost-center']).toBe('ml-research');
  });

  it('a failing region fails the whole list: a partial fleet would plan duplicates', async () => {
    bed.server.seed({ region: 'us-east-1', tags: fleet('f') });
    bed.server.inject({ action: 'DescribeInstances', region: 'us-west-2', code: 'InternalError', status: 500 });
    await expect(bed.provider.list({ tags: fleet('f') })).rejects.toBeInstanceOf(ProviderError);
  });
});

describe('terminate', () => {
  it('finds the region of an instance it has not seen, and leaves others alone', async () => {
    const west = bed.server.seed({ region: 'us-west-2', tags: fleet('f') });
    const east = bed.server.seed({ region: 'us-east-1', tags: fleet('f') });
    await bed.provider.terminate(west.id);
    expect(bed.server.world.instances.get(west.id)?.state).toBe('shutting-down');
    expect(bed.server.world.instances.get(east.id)?.state).toBe('running');
    expect(bed.server.calls('TerminateInstances').map((c) => [c.region, c.params['InstanceId.1']])).toEqual([
      ['us-east-1', west.id],
      ['us-west-2', west.id],
    ]);
  });

  it('goes straight to the region an instance was listed in', async () => {
    const west = bed.server.seed({ region: 'us-west-2', tags: fleet('f') });
    await bed.provider.list({ tags: fleet('f') });
    await bed.provider.terminate(west.id);
    expect(bed.server.calls('TerminateInstances').map((c) => c.region)).toEqual(['us-west-2']);
  });

  it('an id EC2 cannot parse is an invalid request', async () => {
    const err = await providerFailure(bed.provider.terminate('not-an-id'));
    expect(err).toMatchObject({ errorClass: 'invalid', providerCode: 'InvalidInstanceID.Malformed' });
  });
});

describe('setLabels', () => {
  it('replaces the pool labels and keeps navarch, AWS and provider-settings tags', async () => {
    const inst = await bed.provider.provision(
      ec2Request({ region: 'us-west-2', zone: 'us-west-2a', tags: { ...fleet('f'), [TAG.node]: 'train-1', team: 'research', tier: 'gold' } }),
    );
    await bed.provider.setLabels(inst.id, { team: 'vision', owner: 'ana' });
    expect(bed.server.world.instances.get(inst.id)?.tags).toEqual({
      ...fleet('f'),
      [TAG.node]: 'train-1',
      Name: 'train-1',
      'cost-center': 'ml-research',
      [PROVIDER_TAGS_KEY]: 'Name,cost-center',
      team: 'vision',
      owner: 'ana',
    });
    expect(bed.server.calls('CreateTags')[0]?.params).toMatchObject({ 'ResourceId.1': inst.id, 'Tag.1.Key': 'owner', 'Tag.1.Value': 'ana' });
    expect(bed.server.calls('DeleteTags')[0]?.params).toMatchObject({ 'ResourceId.1': inst.id, 'Tag.1.Key': 'tier' });
    const [listed] = await bed.provider.list({ tags: fleet('f') });
    expect(listed?.tags).toEqual({ ...fleet('f'), [TAG.node]: 'train-1', team: 'vision', owner: 'ana' });
  });

  it('an instance the provider has not listed is not found', async () => {
    await expect(bed.provider.setLabels('i-0123456789abcdef0', {})).rejects.toMatchObject({ errorClass: 'not-found' });
  });
});
