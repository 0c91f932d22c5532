/** RunInstances as EC2 validates and answers it, for the parameters navarch sends. */
import { list, str, strings, type QueryTree, type QueryValue } from './query.js';
import { capacityKey, Ec2Fault, inRegion, instanceId, type Ec2Account, type Ec2Instance } from './state.js';

/** The server's mutable world, shared by the actions. */
export interface World {
  account: Ec2Account;
  instances: Map<string, Ec2Instance>;
  serial: number;
  now: () => Date;
}

const TAGGABLE = new Set(['instance', 'volume', 'network-interface', 'spot-instances-request']);
const MAX_USER_DATA = 16384;

function tagsOf(spec: QueryValue): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list(spec, 'Tag')) {
    const key = str(t, 'Key');
    if (key === undefined) throw new Ec2Fault('InvalidParameterValue', 'Tag keys must not be empty');
    if (key.toLowerCase().startsWith('aws:')) throw new Ec2Fault('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
    if (key.length > 128) throw new Ec2Fault('InvalidParameterValue', `Tag key exceeds the maximum length of 128 characters`);
    const value = str(t, 'Value') ?? '';
    if (value.length > 256) throw new Ec2Fault('InvalidParameterValue', `Tag value exceeds the maximum length of 256 characters`);
    out[key] = value;
  }
  if (Object.keys(out).length > 50) throw new Ec2Fault('TagLimitExceeded', 'The maximum number of tags per resource is 50');
  return out;
}

function userDataOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 !== 0) {
    throw new Ec2Fault('InvalidParameterValue', 'Invalid BASE64 encoding of user data');
  }
  const decoded = Buffer.from(raw, 'base64');
  if (decoded.length > MAX_USER_DATA) throw new Ec2Fault('InvalidParameterValue', `User data is limited to ${MAX_USER_DATA} bytes`);
  return decoded.toString('utf8');
}

/** The zone and subnet of a launch, as EC2 resolves them. */
function placementOf(world: World, region: string, tree: QueryTree): { zone: string; subnetId: string | undefined } {
  const subnetId = str(tree, 'SubnetId');
  const az = str(tree, 'Placement', 'AvailabilityZone');
  if (az !== undefined && !inRegion(az, region)) throw new Ec2Fault('InvalidParameterValue', `Invalid availability zone: [${az}]`);
  if (subnetId !== undefined) {
    const zone = world.account.subnets.get(subnetId);
    if (zone === undefined || !inRegion(zone, region)) throw new Ec2Fault('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
    if (az !== undefined && az !== zone) {
      throw new Ec2Fault('InvalidParameterCombination', `The subnet '${subnetId}' is in ${zone}, not in the requested ${az}`);
    }
    return { zone, subnetId };
  }
  return { zone: az ?? `${region}a`, subnetId: undefined };
}

/** Launch parameters compared for a repeated ClientToken (EC2 ignores region and zone there). */
function fingerprintOf(flat: Record<string, string>): string {
  const ignored = new Set(['Action', 'Version', 'ClientToken', 'Placement.AvailabilityZone']);
  return JSON.stringify(
    Object.keys(flat)
      .filter((k) => !ignored.has(k))
      .sort()
      .map((k) => [k, flat[k]]),
  );
}

function checkCapacity(world: World, instanceType: string, zone: string, region: string): void {
  const limit = world.account.capacity.get(capacityKey(instanceType, zone));
  if (limit === undefined) return;
  const live = [...world.instances.values()].filter(
    (i) => i.instanceType === instanceType && i.zone === zone && (i.state === 'pending' || i.state === 'running'),
  ).length;
  if (live < limit) return;
  const others = [...world.account.capacity.keys()]
    .filter((k) => k.startsWith(`${instanceType}@`) && k !== capacityKey(instanceType, zone))
    .map((k) => k.split('@')[1] ?? '')
    .filter((z) => inRegion(z, region));
  throw new Ec2Fault(
    'InsufficientInstanceCapacity',
    `We currently do not have sufficient ${instanceType} capacity in the Availability Zone you requested (${zone}). Our system will be working on provisioning additional capacity. You can currently get ${instanceType} capacity by not specifying an Availability Zone in your request or choosing ${others.join(', ')}.`,
    500,
  );
}

/** Validates a RunInstances request and launches (or, for a known ClientToken, returns) its instance. */
export function runInstances(world: World, region: string, flat: Record<string, string>, tree: QueryTree): Ec2Instance[] {
  const min = str(tree, 'MinCount');
  const max = str(tree, 'MaxCount');
  if (min === undefined) throw new Ec2Fault('MissingParameter', 'The request must contain the parameter MinCount');
  if (max === undefined) throw new Ec2Fault('MissingParameter', 'The request must contain the parameter MaxCount');
  if (min !== '1' || max !== '1') throw new Ec2Fault('InvalidParameterValue', 'This server launches one instance per request');

  const token = str(tree, 'ClientToken');
  if (token !== undefined && (token.length > 64 || !/^[\x20-\x7e]+$/.test(token))) {
    throw new Ec2Fault('InvalidParameterValue', 'The client token must be at most 64 ASCII characters');
  }
  const fingerprint = fingerprintOf(flat);
  const earlier = token === undefined ? undefined : [...world.instances.values()].find((i) => i.region === region && i.clientToken === token);
  if (earlier) {
    if (earlier.fingerprint !== fingerprint) {
      throw new Ec2Fault('IdempotentParameterMismatch', 'The client token you have provided is associated with a resource that is already deleted or was created with different parameters.');
    }
    return [...world.instances.values()].filter((i) => i.reservationId === earlier.reservationId);
  }

  const imageId = str(tree, 'ImageId');
  if (imageId === undefined) throw new Ec2Fault('MissingParameter', 'The request must contain the parameter ImageId');
  if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) throw new Ec2Fault('InvalidAMIID.Malformed', `Invalid id: "${imageId}"`);
  if (!world.account.images.has(imageId)) throw new Ec2Fault('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  const instanceType = str(tree, 'InstanceType') ?? 'm1.small';
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(instanceType)) {
    throw new Ec2Fault('InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
  }
  const { zone, subnetId } = placementOf(world, region, tree);
  const securityGroups = strings(tree, 'SecurityGroupId');
  for (const g of securityGroups) {
    if (!world.account.securityGroups.has(g)) throw new Ec2Fault('InvalidGroup.NotFound', `The security group '${g}' does not exist`);
  }
  const keyName = str(tree, 'KeyName');
  if (keyName !== undefined && !world.account.keyNames.has(keyName)) {
    throw new Ec2Fault('InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
  }
  const userData = userDataOf(str(tree, 'UserData'));

  const tagsByType: Record<string, Record<string, string>> = {};
  for (const spec of list(tree, 'TagSpecification')) {
    const type = str(spec, 'ResourceType');
    if (type === undefined || !TAGGABLE.has(type)) {
      throw new Ec2Fault('InvalidParameterValue', `'${type ?? ''}' is not a valid taggable resource type for this operation.`);
    }
    tagsByType[type] = tagsOf(spec);
  }

  const market = str(tree, 'InstanceMarketOptions', 'MarketType');
  if (market !== undefined && market !== 'spot') throw new Ec2Fault('InvalidParameterValue', `Unsupported market type ${market}`);
  const maxPrice = str(tree, 'InstanceMarketOptions', 'SpotOptions', 'MaxPrice');
  if (maxPrice !== undefined && !(Number(maxPrice) > 0)) throw new Ec2Fault('InvalidParameterValue', `Invalid max price ${maxPrice}`);
  const spotPrice = world.account.spotPrices.get(instanceType);
  if (market === 'spot' && maxPrice !== undefined && spotPrice !== undefined && Number(maxPrice) < spotPrice) {
    throw new Ec2Fault('SpotMaxPriceTooLow', `Your Spot request price of ${maxPrice} is lower than the minimum required Spot request fulfillment price of ${spotPrice}.`);
  }
  checkCapacity(world, instanceType, zone, region);

  const serial = ++world.serial;
  const inst: Ec2Instance = {
    id: instanceId(serial),
    region,
    zone,
    subnetId,
    reservationId: `r-${serial.toString(16).padStart(17, '0')}`,
    imageId,
    instanceType,
    state: 'pending',
    spot: market === 'spot',
    maxPrice,
    tags: tagsByType['instance'] ?? {},
    otherTags: Object.fromEntries(Object.entries(tagsByType).filter(([t]) => t !== 'instance')),
    clientToken: token,
    fingerprint,
    keyName,
    securityGroups,
    iamInstanceProfile: str(tree, 'IamInstanceProfile', 'Arn') ?? str(tree, 'IamInstanceProfile', 'Name'),
    userData,
    launchTime: world.now().toISOString().replace(/\.\d{3}Z$/, '.000Z'),
    privateIp: `10.0.${Math.floor(serial / 250) % 250}.${(serial % 250) + 4}`,
    publicIp: `203.0.113.${(serial % 250) + 1}`,
  };
  world.instances.set(inst.id, inst);
  return [inst];
}
