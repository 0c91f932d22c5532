import { describe, expect, it } from 'vitest';
import { NavarchError } from '../../model/index.js';
import { amiFor, catalogRegions, endpointFor, parseAwsSettings, subnetsIn, zoneInRegion } from './settings.js';

describe('parseAwsSettings', () => {
  it('reads every setting navarch.yaml may carry', () => {
    const s = parseAwsSettings({
      regions: ['us-east-1', 'us-west-2'],
      ami: { 'us-east-1': 'ami-0a1b2c3d', 'us-west-2': 'ami-0f1e2d3c' },
      subnets: { 'us-east-1a': 'subnet-0aaa', 'us-east-1b': 'subnet-0bbb' },
      security_groups: ['sg-01', 'sg-02'],
      key_name: 'admins',
      iam_instance_profile: 'arn:aws:iam::123456789012:instance-profile/gpu',
      endpoint: 'https://vpce-1.ec2.us-east-1.vpce.amazonaws.com',
      tags: { 'cost-center': 'ml' },
    });
    expect(s).toEqual({
      regions: ['us-east-1', 'us-west-2'],
      ami: { 'us-east-1': 'ami-0a1b2c3d', 'us-west-2': 'ami-0f1e2d3c' },
      subnets: { 'us-east-1a': 'subnet-0aaa', 'us-east-1b': 'subnet-0bbb' },
      securityGroups: ['sg-01', 'sg-02'],
      keyName: 'admins',
      iamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/gpu' },
      endpoint: { '*': 'https://vpce-1.ec2.us-east-1.vpce.amazonaws.com' },
      tags: { 'cost-center': 'ml' },
    });
  });

  it('defaults to every AWS region of the catalog and nothing else', () => {
    const s = parseAwsSettings({});
    expect(s.regions).toEqual(catalogRegions());
    expect(s.regions).toContain('us-east-1');
    expect(s).toMatchObject({ ami: {}, subnets: {}, securityGroups: [], endpoint: {}, tags: {}, keyName: undefined, iamInstanceProfile: undefined });
  });

  it('takes one AMI for every region or one per region', () => {
    const one = parseAwsSettings({ ami: 'ami-0123' });
    expect(amiFor(one, 'eu-west-1')).toBe('ami-0123');
    const per = parseAwsSettings({ ami: { 'us-east-1': 'ami-0aaa' } });
    expect(amiFor(per, 'us-east-1')).toBe('ami-0aaa');
    expect(amiFor(per, 'us-west-2')).toBeUndefined();
  });

  it('takes one endpoint or one per region', () => {
    const per = parseAwsSettings({ endpoint: { 'us-east-1': 'https://e1.example', 'us-west-2': 'https://w2.example' } });
    expect(endpointFor(per, 'us-west-2')).toBe('https://w2.example');
    expect(endpointFor(per, 'eu-west-1')).toBeUndefined();
  });

  it('names an instance profile by name unless given an ARN', () => {
    expect(parseAwsSettings({ iam_instance_profile: 'gpu-node' }).iamInstanceProfile).toEqual({ Name: 'gpu-node' });
  });

  it.each([
    [{ ami: 'ubuntu' }, 'ami'],
    [{ ami: { 'us-east-1': 'img-1' } }, 'ami.us-east-1'],
    [{ subnets: { 'us-east-1a': 'sn-1' } }, 'subnets.us-east-1a'],
    [{ security_groups: ['default'] }, 'security_groups[0]'],
    [{ security_groups: 'sg-01' }, 'security_groups'],
    [{ regions: [] }, 'regions'],
    [{ key_name: '' }, 'key_name'],
    [{ endpoint: 'ftp://x' }, 'endpoint'],
    [{ tags: { 'aws:owner': 'me' } }, 'tags.aws:owner'],
    [{ tags: { 'navarch-pool': 'x' } }, 'tags.navarch-pool'],
    [{ tags: { 'a,b': 'x' } }, 'tags.a,b'],
    [{ tags: { k: 'v'.repeat(257) } }, 'tags.k'],
  ])('refuses %j naming the field', (settings, field) => {
    let err: unknown;
    try {
      parseAwsSettings(settings);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NavarchError);
    expect((err as NavarchError).code).toBe('provider.settings');
    expect((err as NavarchError).details).toEqual({ field });
  });

  it('refuses extra tags whose keys would not fit the marker tag', () => {
    const tags = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`team-cost-allocation-${i}`, 'x']));
    expect(() => parseAwsSettings({ tags })).toThrow(/at most 251 characters/);
  });
});

describe('zones and subnets', () => {
  it('knows which zones lie in a region', () => {
    expect(zoneInRegion('us-east-1a', 'us-east-1')).toBe(true);
    expect(zoneInRegion('us-west-2-lax-1a', 'us-west-2')).toBe(true);
    expect(zoneInRegion('us-east-1', 'us-east-1')).toBe(false);
    expect(zoneInRegion('us-east-12a', 'us-east-1')).toBe(false);
    expect(zoneInRegion('us-west-2a', 'us-east-1')).toBe(false);
  });

  it('lists the configured subnets of a region by zone', () => {
    const s = parseAwsSettings({ subnets: { 'us-east-1b': 'subnet-0b', 'us-west-2a': 'subnet-0c', 'us-east-1a': 'subnet-0a' } });
    expect(subnetsIn(s, 'us-east-1')).toEqual([
      { zone: 'us-east-1a', subnetId: 'subnet-0a' },
      { zone: 'us-east-1b', subnetId: 'subnet-0b' },
    ]);
    expect(subnetsIn(s, 'eu-west-1')).toEqual([]);
  });
});
