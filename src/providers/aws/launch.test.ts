import { describe, expect, it } from 'vitest';
import { provisionRequest } from '../../../test/helpers/provider-requests.js';
import { ProviderError, TAG, type ProvisionRequest } from '../../model/index.js';
import { clientToken, formatMaxPrice, launchTargets, runInstancesInput } from './launch.js';
import { parseAwsSettings } from './settings.js';

const settings = parseAwsSettings({
  regions: ['us-east-1', 'us-west-2'],
  ami: { 'us-east-1': 'ami-0aaa' },
  subnets: { 'us-east-1a': 'subnet-0a', 'us-east-1b': 'subnet-0b' },
});

const request = (over: Partial<ProvisionRequest> = {}): ProvisionRequest =>
  provisionRequest('train-1', {
    instanceType: 'p5.48xlarge',
    region: 'us-east-1',
    zone: 'us-east-1a',
    tags: { [TAG.fleet]: 'research', [TAG.node]: 'train-1' },
    ...over,
  });

describe('clientToken', () => {
  it('is the same for the same fleet, node and generation, and at most 64 ASCII characters', () => {
    const token = clientToken('research', 'train-1', 1);
    expect(clientToken('research', 'train-1', 1)).toBe(token);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[\x20-\x7e]+$/);
  });

  it('differs between fleets, nodes and generations', () => {
    const tokens = new Set([
      clientToken('research', 'train-1', 1),
      clientToken('vision', 'train-1', 1),
      clientToken('research', 'train-2', 1),
      clientToken('research', 'train-1', 2),
      // No ambiguity from joining: "a" + "b-1" is not "a-b" + "1".
      clientToken('research-train', '1', 1),
    ]);
    expect(tokens.size).toBe(5);
  });

  it('stays short for the longest fleet and node names', () => {
    expect(clientToken('f'.repeat(39), `${'p'.repeat(63)}-99999`, 32).length).toBeLessThanOrEqual(64);
  });
});

describe('formatMaxPrice', () => {
  it('writes USD per hour as EC2 reads it', () => {
    expect(formatMaxPrice(24)).toBe('24');
    expect(formatMaxPrice(3.5 * 8)).toBe('28');
    expect(formatMaxPrice(26.571399999)).toBe('26.5714');
  });
});

describe('launchTargets', () => {
  it('uses the subnet of the requested zone', () => {
    expect(launchTargets(settings, 'aws', request())).toEqual([{ zone: 'us-east-1a', subnetId: 'subnet-0a' }]);
  });

  it('tries every configured subnet of the region when no zone is requested', () => {
    expect(launchTargets(settings, 'aws', request({ zone: undefined }))).toEqual([
      { zone: 'us-east-1a', subnetId: 'subnet-0a' },
      { zone: 'us-east-1b', subnetId: 'subnet-0b' },
    ]);
  });

  it('lets EC2 choose (default VPC) where no subnet is configured', () => {
    expect(launchTargets(settings, 'aws', request({ region: 'us-west-2', zone: undefined }))).toEqual([{ zone: undefined, subnetId: undefined }]);
    expect(launchTargets(settings, 'aws', request({ region: 'us-west-2', zone: 'us-west-2b' }))).toEqual([{ zone: 'us-west-2b', subnetId: undefined }]);
  });

  it('refuses a zone without a subnet in a region that has subnets, and a zone of another region', () => {
    for (const zone of ['us-east-1c', 'us-west-2a']) {
      let err: unknown;
      try {
        launchTargets(settings, 'aws', request({ zone }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).errorClass).toBe('invalid');
    }
  });
});

describe('runInstancesInput', () => {
  it('refuses a region without an AMI', () => {
    expect(() => runInstancesInput(settings, 'aws', request({ region: 'us-west-2', zone: undefined }), { zone: undefined, subnetId: undefined }, 't')).toThrow(
      /no AMI is configured for region us-west-2/,
    );
  });

  it('places by zone when the zone has no subnet', () => {
    const input = runInstancesInput(settings, 'aws', request(), { zone: 'us-east-1c', subnetId: undefined }, 't');
    expect(input.Placement).toEqual({ AvailabilityZone: 'us-east-1c' });
    expect(input.SubnetId).toBeUndefined();
  });

  it('asks for one-time spot capacity that terminates on interruption', () => {
    const input = runInstancesInput(settings, 'aws', request({ spot: true, maxPricePerHour: 20 }), { zone: 'us-east-1a', subnetId: 'subnet-0a' }, 't');
    expect(input.InstanceMarketOptions).toEqual({
      MarketType: 'spot',
      SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate', MaxPrice: '20' },
    });
  });
});
