import { describe, expect, it } from 'vitest';
import { LIVE_STATE_NAMES, launchTags, PROVIDER_TAGS_KEY, tagsOf, toInstance, toInstanceState, toTagList } from './convert.js';
import { labelChanges } from './labels.js';

describe('instance states', () => {
  it.each([
    ['pending', 'pending'],
    ['running', 'running'],
    ['stopping', 'stopping'],
    ['stopped', 'failed'],
    ['shutting-down', 'terminated'],
    ['terminated', 'terminated'],
    ['hibernating-someday', 'failed'],
    [undefined, 'failed'],
  ])('EC2 %s is navarch %s', (ec2, navarch) => {
    expect(toInstanceState(ec2)).toBe(navarch);
  });

  it('lists every state that is neither going nor gone', () => {
    expect(LIVE_STATE_NAMES.map(toInstanceState)).not.toContain('terminated');
    expect(['shutting-down', 'terminated'].some((s) => LIVE_STATE_NAMES.includes(s))).toBe(false);
  });
});

describe('tags', () => {
  it('launches with the infrastructure tags, a Name, and the request tags, which win on a shared key', () => {
    const tags = launchTags({ 'cost-center': 'ml', team: 'infra' }, { 'navarch-node': 'train-1', team: 'research' }, 'train-1');
    expect(tags).toEqual({
      Name: 'train-1',
      'cost-center': 'ml',
      team: 'research',
      'navarch-node': 'train-1',
      [PROVIDER_TAGS_KEY]: 'Name,cost-center',
    });
  });

  it('keeps a Name the pool gives itself', () => {
    const tags = launchTags({}, { Name: 'mine' }, 'train-1');
    expect(tags['Name']).toBe('mine');
    expect(tags[PROVIDER_TAGS_KEY]).toBe('');
  });

  it('reports neither AWS tags nor the infrastructure tags as instance tags', () => {
    const raw = toTagList({
      ...launchTags({ 'cost-center': 'ml' }, { 'navarch-node': 'n', team: 'research' }, 'n'),
      'aws:ec2launchtemplate:id': 'lt-1',
    });
    expect(tagsOf(raw)).toEqual({ 'navarch-node': 'n', team: 'research' });
  });

  it('orders tag lists by key', () => {
    expect(toTagList({ b: '2', a: '1' })).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]);
  });
});

describe('toInstance', () => {
  it('translates an EC2 instance, naming the provider as configured', () => {
    const inst = toInstance('prod-aws', 'us-east-1', {
      InstanceId: 'i-0abc',
      InstanceType: 'p5.48xlarge',
      Placement: { AvailabilityZone: 'us-east-1b' },
      State: { Code: 16, Name: 'running' },
      InstanceLifecycle: 'spot',
      LaunchTime: new Date('2026-01-02T03:04:05Z'),
      PrivateIpAddress: '10.0.0.5',
      PublicIpAddress: '203.0.113.9',
      Tags: [{ Key: 'navarch-node', Value: 'train-1' }],
    });
    expect(inst).toEqual({
      id: 'i-0abc',
      provider: 'prod-aws',
      region: 'us-east-1',
      zone: 'us-east-1b',
      instanceType: 'p5.48xlarge',
      spot: true,
      state: 'running',
      tags: { 'navarch-node': 'train-1' },
      launchedAt: '2026-01-02T03:04:05.000Z',
      privateIp: '10.0.0.5',
      publicIp: '203.0.113.9',
    });
  });

  it('fills in requested tags a launch reply leaves out', () => {
    const inst = toInstance('aws', 'us-east-1', { InstanceId: 'i-1', State: { Name: 'pending' } }, { team: 'a', Name: 'n', [PROVIDER_TAGS_KEY]: 'Name' });
    expect(inst.tags).toEqual({ team: 'a' });
    expect(inst.spot).toBe(false);
  });
});

describe('labelChanges', () => {
  const current = {
    'navarch-node': 'train-1',
    'navarch-pool': 'train',
    Name: 'train-1',
    'cost-center': 'ml',
    [PROVIDER_TAGS_KEY]: 'Name,cost-center',
    team: 'research',
    tier: 'gold',
    'aws:cloudformation:stack-name': 's',
  };

  it('writes new and changed labels and deletes dropped ones, keeping navarch, AWS and infrastructure tags', () => {
    expect(labelChanges(current, { team: 'vision', owner: 'ana' })).toEqual({ create: { team: 'vision', owner: 'ana' }, remove: ['tier'] });
  });

  it('does nothing when the labels already match', () => {
    expect(labelChanges(current, { team: 'research', tier: 'gold' })).toEqual({ create: {}, remove: [] });
  });

  it('never touches navarch tags through labels', () => {
    expect(labelChanges(current, { 'navarch-pool': 'other', team: 'research', tier: 'gold' })).toEqual({ create: {}, remove: [] });
  });

  it('turns an infrastructure tag into a label when a label takes its key', () => {
    expect(labelChanges(current, { team: 'research', tier: 'gold', 'cost-center': 'vision' })).toEqual({
      create: { 'cost-center': 'vision', [PROVIDER_TAGS_KEY]: 'Name' },
      remove: [],
    });
  });
});
