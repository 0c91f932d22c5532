/**
 * The AWS provider's settings as written under `providers.<name>` in navarch.yaml (snake_case).
 * The schema has validated them already; parsing here still refuses shapes it cannot use, so a
 * provider built from hand-written settings fails loudly instead of launching something odd.
 */
import { instanceTypes } from '../../catalog/index.js';
import { isRecord, NavarchError } from '../../model/index.js';

/** How EC2 is told which instance profile to attach: by name or by ARN. */
export type InstanceProfileRef = { Name: string } | { Arn: string };

/** Parsed AWS provider settings. */
export interface AwsSettings {
  /** Regions this provider lists and may launch in (explicit, or every AWS region of the catalog). */
  regions: string[];
  /** AMI id per region; `*` holds the id given for every region. */
  ami: Record<string, string>;
  /** Subnet id per availability zone. */
  subnets: Record<string, string>;
  securityGroups: string[];
  keyName: string | undefined;
  iamInstanceProfile: InstanceProfileRef | undefined;
  /** API endpoint per region; `*` holds the one given for every region. Empty: the public endpoints. */
  endpoint: Record<string, string>;
  /** Extra tags on every instance (infrastructure tags such as cost centres, not pool labels). */
  tags: Record<string, string>;
}

/** EC2 tag limits (keys ≤ 128, values ≤ 256 characters; `aws:` is reserved for AWS). */
const MAX_KEY = 128;
const MAX_VALUE = 256;

function bad(field: string, expected: string, got: unknown): NavarchError {
  return new NavarchError('provider.settings', `aws setting "${field}" must be ${expected} (got ${JSON.stringify(got)})`, {
    details: { field },
  });
}


function stringMap(field: string, raw: unknown, valid: (v: string) => boolean, expected: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw bad(field, `a map of ${expected}`, raw);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string' || !valid(v)) throw bad(`${field}.${k}`, expected, v);
    out[k] = v;
  }
  return out;
}

function stringList(field: string, raw: unknown, valid: (v: string) => boolean, expected: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw bad(field, `a list of ${expected}`, raw);
  return raw.map((v, i) => {
    if (typeof v !== 'string' || !valid(v)) throw bad(`${field}[${i}]`, expected, v);
    return v;
  });
}

/** A single value, or a map of region to value, as `{'*': value}` or the map itself. */
function perRegion(field: string, raw: unknown, valid: (v: string) => boolean, expected: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw === 'string') {
    if (!valid(raw)) throw bad(field, expected, raw);
    return { '*': raw };
  }
  return stringMap(field, raw, valid, expected);
}

const isAmi = (v: string): boolean => /^ami-[0-9a-f]+$/.test(v);
const isSubnet = (v: string): boolean => /^subnet-[0-9a-f]+$/.test(v);
const isGroup = (v: string): boolean => /^sg-[0-9a-f]+$/.test(v);
const nonEmpty = (v: string): boolean => v.trim() !== '';
const isUrl = (v: string): boolean => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

/** Every AWS region the built-in catalog knows, sorted. */
export function catalogRegions(): string[] {
  return [...new Set(instanceTypes('aws').flatMap((t) => t.regions.map((r) => r.region)))].sort();
}

function parseTags(raw: unknown): Record<string, string> {
  const tags = stringMap('tags', raw, (v) => v.length <= MAX_VALUE, `strings of at most ${MAX_VALUE} characters`);
  for (const key of Object.keys(tags)) {
    if (key.length === 0 || key.length > MAX_KEY) throw bad(`tags.${key}`, `a key of 1 to ${MAX_KEY} characters`, key);
    // navarch-* keys are how navarch finds its instances; aws:* keys are reserved by AWS.
    if (key.startsWith('navarch-') || key.toLowerCase().startsWith('aws:')) {
      throw bad(`tags.${key}`, 'a key not starting with navarch- or aws:', key);
    }
    if (key.includes(',')) throw bad(`tags.${key}`, 'a key without commas', key);
  }
  // Every instance records these keys (and Name) in one tag value, which EC2 caps at 256 characters.
  if (['Name', ...Object.keys(tags)].join(',').length > MAX_VALUE) {
    throw bad('tags', `tags whose keys add up to at most ${MAX_VALUE - 5} characters`, Object.keys(tags));
  }
  return tags;
}

/** Parses `ProviderConfig.settings` of a `type: aws` provider. */
export function parseAwsSettings(settings: Record<string, unknown>): AwsSettings {
  const regionsRaw = settings['regions'];
  const regions = regionsRaw === undefined ? catalogRegions() : stringList('regions', regionsRaw, nonEmpty, 'region names');
  if (regions.length === 0) throw bad('regions', 'a non-empty list of region names', regionsRaw);
  const keyName = settings['key_name'];
  if (keyName !== undefined && (typeof keyName !== 'string' || !nonEmpty(keyName))) throw bad('key_name', 'a key pair name', keyName);
  const profile = settings['iam_instance_profile'];
  if (profile !== undefined && (typeof profile !== 'string' || !nonEmpty(profile))) {
    throw bad('iam_instance_profile', 'an instance profile name or ARN', profile);
  }
  return {
    regions: [...new Set(regions)],
    ami: perRegion('ami', settings['ami'], isAmi, 'an AMI id (ami-...)'),
    subnets: stringMap('subnets', settings['subnets'], isSubnet, 'a subnet id (subnet-...)'),
    securityGroups: stringList('security_groups', settings['security_groups'], isGroup, 'a security group id (sg-...)'),
    keyName: typeof keyName === 'string' ? keyName : undefined,
    iamInstanceProfile:
      typeof profile === 'string' ? (profile.startsWith('arn:') ? { Arn: profile } : { Name: profile }) : undefined,
    endpoint: perRegion('endpoint', settings['endpoint'], isUrl, 'an http(s) URL'),
    tags: parseTags(settings['tags']),
  };
}

/** The AMI to boot in `region`, if one is configured. */
export function amiFor(settings: AwsSettings, region: string): string | undefined {
  return settings.ami[region] ?? settings.ami['*'];
}

/** The endpoint override for `region`, if any. */
export function endpointFor(settings: AwsSettings, region: string): string | undefined {
  return settings.endpoint[region] ?? settings.endpoint['*'];
}

/** Whether `zone` lies in `region`: the region plus a letter (us-east-1a) or a local zone suffix (us-west-2-lax-1a). */
export function zoneInRegion(zone: string, region: string): boolean {
  if (!zone.startsWith(region)) return false;
  const rest = zone.slice(region.length);
  return /^[a-z]$/.test(rest) || /^-[a-z]+-\d+[a-z]$/.test(rest);
}

/** Zones of `region` that have a configured subnet, sorted, with their subnet ids. */
export function subnetsIn(settings: AwsSettings, region: string): Array<{ zone: string; subnetId: string }> {
  return Object.entries(settings.subnets)
    .filter(([zone]) => zoneInRegion(zone, region))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([zone, subnetId]) => ({ zone, subnetId }));
}
