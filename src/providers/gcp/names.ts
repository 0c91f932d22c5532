/**
 * Names and ids: the deterministic instance name that makes provisioning idempotent, navarch's
 * instance id for a GCP instance, and the label filter of aggregatedList.
 */
import { shortHash } from '../../model/index.js';

/** Compute Engine resource names: RFC 1035 labels, 1-63 characters. */
export const INSTANCE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const HASH_LENGTH = 8;

/**
 * The instance name of a node. Compute Engine refuses a second instance with the same name in a
 * zone, so the name itself is the idempotency key of a create. It is readable (`<fleet>-<node>`)
 * and always ends in a hash of the exact fleet and node, so two pairs that read alike after
 * cleaning (`a-b`/`c` and `a`/`b-c`) never share a name.
 */
export function instanceName(fleet: string, node: string): string {
  const hash = shortHash(`${fleet}\u0000${node}`, HASH_LENGTH);
  let base = `${fleet}-${node}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(base)) base = `n-${base}`.replace(/-+$/, '');
  base = base.slice(0, 63 - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${base}-${hash}`;
}

/** What navarch's id of a GCP instance names. */
export interface InstanceRef {
  zone: string;
  name: string;
  /** Compute Engine's numeric id: tells a later instance reusing the name from the one meant. */
  gceId: string;
}

/**
 * navarch's id of a GCP instance: `<zone>/<name>/<numeric id>`. The zone and name are what the
 * API addresses an instance by; the numeric id keeps a stale id from ever deleting a newer
 * instance that reuses the name (node names are reused after a terminate).
 */
export function formatInstanceId(ref: InstanceRef): string {
  return `${ref.zone}/${ref.name}/${ref.gceId}`;
}

/** Parses an id made by `formatInstanceId`; undefined when it is not one. */
export function parseInstanceId(id: string): InstanceRef | undefined {
  const m = /^([a-z]+-[a-z]+\d+-[a-z])\/([a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)\/(\d+)$/.exec(id);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  return { zone: m[1], name: m[2], gceId: m[3] };
}

/** `us-central1` of `us-central1-a`. */
export function regionOfZone(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

/** The last segment of a resource URL or partial path (`.../zones/us-central1-a` → `us-central1-a`). */
export function lastSegment(url: string | null | undefined): string {
  if (!url) return '';
  const parts = url.split('/');
  return parts[parts.length - 1] ?? '';
}

/**
 * The aggregatedList filter selecting instances that carry every label: `(labels.k = "v") AND ...`,
 * the AIP-160 form Compute Engine documents for filtering on nested fields such as labels.
 */
export function labelFilter(labels: Record<string, string>): string | undefined {
  const terms = Object.keys(labels)
    .sort()
    .map((k) => `(labels.${k} = ${JSON.stringify(labels[k] ?? '')})`);
  return terms.length === 0 ? undefined : terms.join(' AND ');
}
