/** What a RunInstances call carries for one node: placement, image, network, tags, market, user data. */
import { createHash } from 'node:crypto';
import type { _InstanceType, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { ProviderError, TAG, type ProvisionRequest } from '../../model/index.js';
import { launchTags, toTagList } from './convert.js';
import { amiFor, subnetsIn, zoneInRegion, type AwsSettings } from './settings.js';

/** Where one launch attempt goes: a zone (with its subnet when one is configured) or anywhere in the region. */
export interface LaunchTarget {
  zone: string | undefined;
  subnetId: string | undefined;
}

/**
 * The EC2 idempotency token of a node: the same for every retry of the same launch, so a retry
 * after a lost reply returns the instance the first call created. It hashes the fleet and node
 * name (two fleets in one account never collide) and a generation: EC2 keeps answering a token
 * with its instance for at least 24 hours after that instance is terminated, so a node launched
 * again after its instance died moves on to the next generation. 8 + 48 = 56 ASCII characters,
 * within EC2's 64.
 */
export function clientToken(fleet: string, nodeName: string, generation: number): string {
  const digest = createHash('sha256').update(`${fleet}\0${nodeName}\0${generation}`).digest('hex');
  return `navarch-${digest.slice(0, 48)}`;
}

/** EC2's MaxPrice: USD per instance-hour as a decimal string. */
export function formatMaxPrice(perHour: number): string {
  return String(Number(perHour.toFixed(5)));
}

/**
 * The zones (and subnets) to try for a request, in order. A requested zone must have a subnet when
 * subnets are configured for the region (an instance in the default VPC would be a surprise); with
 * no zone requested, every configured subnet of the region is a candidate, and with none configured
 * EC2 picks the zone (default VPC).
 */
export function launchTargets(settings: AwsSettings, providerName: string, req: ProvisionRequest): LaunchTarget[] {
  const configured = subnetsIn(settings, req.region);
  if (req.zone === undefined) {
    return configured.length > 0 ? configured.map((s) => ({ zone: s.zone, subnetId: s.subnetId })) : [{ zone: undefined, subnetId: undefined }];
  }
  // Refused before any call: there is no EC2 error code to report.
  const invalid = (message: string): ProviderError => new ProviderError('invalid', providerName, message, { location: req.zone ?? req.region });
  if (!zoneInRegion(req.zone, req.region)) {
    throw invalid(`zone ${req.zone} is not in region ${req.region}`);
  }
  const subnetId = settings.subnets[req.zone];
  if (subnetId === undefined && configured.length > 0) {
    throw invalid(
      `no subnet is configured for zone ${req.zone} (providers.${providerName}.subnets has ${configured.map((s) => s.zone).join(', ')})`,
    );
  }
  return [{ zone: req.zone, subnetId }];
}

/** The AMI configured for `region`; an invalid-request error when there is none. */
export function imageFor(settings: AwsSettings, providerName: string, region: string): string {
  const imageId = amiFor(settings, region);
  if (imageId === undefined) {
    throw new ProviderError('invalid', providerName, `no AMI is configured for region ${region} (set providers.${providerName}.ami)`, { location: region });
  }
  return imageId;
}

/** The RunInstances input for one node at one target with one idempotency token. */
export function runInstancesInput(
  settings: AwsSettings,
  providerName: string,
  req: ProvisionRequest,
  target: LaunchTarget,
  token: string,
): RunInstancesCommandInput {
  const imageId = imageFor(settings, providerName, req.region);
  const tags = toTagList(launchTags(settings.tags, { ...req.tags, [TAG.node]: req.nodeName }, req.nodeName));
  return {
    ImageId: imageId,
    InstanceType: req.instanceType as _InstanceType,
    MinCount: 1,
    MaxCount: 1,
    ClientToken: token,
    ...(target.subnetId !== undefined
      ? { SubnetId: target.subnetId }
      : target.zone !== undefined
        ? { Placement: { AvailabilityZone: target.zone } }
        : {}),
    ...(settings.securityGroups.length > 0 ? { SecurityGroupIds: settings.securityGroups } : {}),
    ...(settings.keyName !== undefined ? { KeyName: settings.keyName } : {}),
    ...(settings.iamInstanceProfile !== undefined ? { IamInstanceProfile: settings.iamInstanceProfile } : {}),
    ...(req.spot
      ? {
          InstanceMarketOptions: {
            MarketType: 'spot',
            SpotOptions: {
              SpotInstanceType: 'one-time',
              InstanceInterruptionBehavior: 'terminate',
              ...(req.maxPricePerHour !== undefined ? { MaxPrice: formatMaxPrice(req.maxPricePerHour) } : {}),
            },
          },
        }
      : {}),
    // EC2 wants user data base64-encoded, and this SDK sends the string as given.
    ...(req.userData !== undefined ? { UserData: Buffer.from(req.userData, 'utf8').toString('base64') } : {}),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  };
}
