/** What the loopback EC2 knows: its instances, and the account's images, subnets, groups and key pairs. */

export type Ec2State = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export interface Ec2Instance {
  id: string;
  region: string;
  zone: string;
  subnetId: string | undefined;
  reservationId: string;
  imageId: string;
  instanceType: string;
  state: Ec2State;
  spot: boolean;
  maxPrice: string | undefined;
  tags: Record<string, string>;
  /** Tags per other resource type of the launch (`volume`...), as requested. */
  otherTags: Record<string, Record<string, string>>;
  clientToken: string | undefined;
  /** Launch parameters that must match for a repeated ClientToken (EC2's IdempotentParameterMismatch). */
  fingerprint: string;
  keyName: string | undefined;
  securityGroups: string[];
  iamInstanceProfile: string | undefined;
  userData: string | undefined;
  launchTime: string;
  privateIp: string;
  publicIp: string;
}

/** An EC2 error to answer with: its code, message and HTTP status. */
export class Ec2Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The account behind the server. */
export interface Ec2Account {
  ownerId: string;
  /** AMI ids that exist (in every region). */
  images: Set<string>;
  /** Subnet id → its zone. */
  subnets: Map<string, string>;
  securityGroups: Set<string>;
  keyNames: Set<string>;
  /** Live instances allowed per type and zone; absent means unlimited. */
  capacity: Map<string, number>;
  /** Current spot price per instance type (USD/hour). */
  spotPrices: Map<string, number>;
}

export const capacityKey = (instanceType: string, zone: string): string => `${instanceType}@${zone}`;

/** Whether `zone` is a zone of `region` (its name plus one letter). */
export function inRegion(zone: string, region: string): boolean {
  return zone.startsWith(region) && /^[a-z]$/.test(zone.slice(region.length));
}

/** Instance ids: `i-` and 17 hex digits, increasing, so sorting by id is sorting by launch. */
export function instanceId(serial: number): string {
  return `i-${serial.toString(16).padStart(17, '0')}`;
}
