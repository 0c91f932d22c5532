/**
 * A `type: gcp` provider's settings as written under `providers.<name>` in navarch.yaml (snake_case).
 * The schema has validated them already; parsing here still refuses shapes it cannot use, so a
 * provider built from hand-written settings in a test fails loudly instead of behaving oddly.
 */
import { NavarchError } from '../../model/index.js';

/**
 * Boot image when `image` is not given: Google's Deep Learning VM family with CUDA and the NVIDIA
 * driver installed, so a GPU node is usable without a driver install in its startup script.
 */
export const DEFAULT_IMAGE = 'projects/deeplearning-platform-release/global/images/family/common-cu128-ubuntu-2204-nvidia-570';
/** Boot disk size when `disk_size_gb` is not given: room for a CUDA image plus model weights. */
export const DEFAULT_DISK_SIZE_GB = 200;
/** Access scope of the instances' service account when `scopes` is not given. */
export const DEFAULT_INSTANCE_SCOPES: readonly string[] = ['https://www.googleapis.com/auth/cloud-platform'];
/** Where the Compute Engine API lives when `endpoint` is not given. */
export const DEFAULT_ENDPOINT = 'https://compute.googleapis.com';

/** Parsed GCP settings. */
export interface GcpSettings {
  project: string;
  /** Regions the pools may use (the config layer checks placements against them). */
  regions: string[] | undefined;
  image: string;
  /** VPC network (name, `global/networks/<name>` or a URL); `default` when neither it nor a subnetwork is set. */
  network: string | undefined;
  /** Subnetwork (name, `regions/<r>/subnetworks/<name>` or a URL). */
  subnetwork: string | undefined;
  /** Service account email the instances run as; none unless this or `scopes` is set. */
  serviceAccount: string | undefined;
  /** Access scopes of that service account. */
  scopes: string[] | undefined;
  diskSizeGb: number;
  /** Boot disk type; chosen per machine family when absent (see request.ts). */
  diskType: string | undefined;
  /** Whether instances get an ephemeral external IPv4 address. */
  externalIp: boolean;
  /** The API endpoint, split the way the client library takes it. */
  endpoint: { protocol: 'http' | 'https'; host: string; port: number | undefined; custom: boolean };
}

const KNOWN = new Set([
  'project',
  'regions',
  'image',
  'network',
  'subnetwork',
  'service_account',
  'scopes',
  'disk_size_gb',
  'disk_type',
  'external_ip',
  'endpoint',
]);

function bad(field: string, expected: string, got: unknown): NavarchError {
  return new NavarchError('provider.settings', `gcp setting "${field}" must be ${expected} (got ${JSON.stringify(got)})`, {
    details: { field },
  });
}

function optionalString(settings: Record<string, unknown>, key: string): string | undefined {
  const v = settings[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw bad(key, 'a non-empty string', v);
  return v;
}

function optionalStringList(settings: Record<string, unknown>, key: string): string[] | undefined {
  const v = settings[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) throw bad(key, 'a list of strings', v);
  return v as string[];
}

function parseEndpoint(raw: string | undefined): GcpSettings['endpoint'] {
  const text = raw ?? DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('endpoint', 'a URL such as https://compute.googleapis.com', raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('endpoint', 'an http or https URL', raw);
  if (url.pathname !== '/' && url.pathname !== '') throw bad('endpoint', 'a URL without a path (the client adds /compute/v1)', raw);
  return {
    protocol: url.protocol === 'http:' ? 'http' : 'https',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? undefined : Number(url.port),
    custom: raw !== undefined,
  };
}

/** Parses `ProviderConfig.settings` of a `type: gcp` provider. */
export function parseGcpSettings(settings: Record<string, unknown>): GcpSettings {
  for (const key of Object.keys(settings)) {
    if (!KNOWN.has(key)) throw bad(key, `one of ${[...KNOWN].join(', ')}`, key);
  }
  const project = settings['project'];
  if (typeof project !== 'string' || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(project)) {
    throw bad('project', 'a GCP project id (6-30 lower-case letters, digits and dashes)', project);
  }
  const disk = settings['disk_size_gb'] ?? DEFAULT_DISK_SIZE_GB;
  if (typeof disk !== 'number' || !Number.isInteger(disk) || disk < 10 || disk > 65_536) {
    throw bad('disk_size_gb', 'an integer from 10 to 65536', disk);
  }
  const externalIp = settings['external_ip'] ?? true;
  if (typeof externalIp !== 'boolean') throw bad('external_ip', 'true or false', externalIp);
  return {
    project,
    regions: optionalStringList(settings, 'regions'),
    image: optionalString(settings, 'image') ?? DEFAULT_IMAGE,
    network: optionalString(settings, 'network'),
    subnetwork: optionalString(settings, 'subnetwork'),
    serviceAccount: optionalString(settings, 'service_account'),
    scopes: optionalStringList(settings, 'scopes'),
    diskSizeGb: disk,
    diskType: optionalString(settings, 'disk_type'),
    externalIp,
    endpoint: parseEndpoint(optionalString(settings, 'endpoint')),
  };
}
