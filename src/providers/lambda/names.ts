/**
 * How navarch's identity travels on a Lambda instance. Lambda now takes `tags` ({key, value}) at
 * launch and reports them on the instance, and those carry every tag. Older API versions ignore
 * `tags`, so the instance name carries navarch's identity too: `nv.<fleet>.<node>`, which reads
 * back to the fleet, node and (from the `<pool>-<ordinal>` node scheme) pool. Names are at most
 * 64 characters; one that would be longer is cut and ends in a hash, and such an instance is
 * then known by its tags alone.
 */
import { createHash } from 'node:crypto';
import { MANAGED_BY_VALUE, TAG } from '../../model/index.js';
import type { WireInstance, WireTag } from './wire.js';

/** Longest instance name the API accepts. */
export const MAX_NAME_LENGTH = 64;
const PREFIX = 'nv.';
/** Fleet and node names use only [a-z0-9-]; anything else means "not one of ours". */
const PART = '[a-z0-9][a-z0-9-]*';
const NAME = new RegExp(`^nv\\.(${PART})\\.(${PART})$`);

/** The instance name for a node of a fleet: reversible when it fits, cut with a hash when not. */
export function instanceName(fleet: string, node: string): string {
  const full = `${PREFIX}${fleet}.${node}`;
  if (full.length <= MAX_NAME_LENGTH) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  // `~` cannot appear in a reversible name, so a cut name never reads back as another node.
  return `${full.slice(0, MAX_NAME_LENGTH - hash.length - 1)}~${hash}`;
}

/** The pool of a node named `<pool>-<ordinal>`, or undefined. */
function poolOf(node: string): string | undefined {
  const m = /^(.+)-[1-9]\d*$/.exec(node);
  return m?.[1];
}

/** navarch's tags read back from an instance name, or an empty record when it is not one of ours. */
export function tagsFromName(name: string | null | undefined): Record<string, string> {
  const m = name ? NAME.exec(name) : null;
  if (!m) return {};
  const [, fleet, node] = m as unknown as [string, string, string];
  const pool = poolOf(node);
  return { [TAG.managedBy]: MANAGED_BY_VALUE, [TAG.fleet]: fleet, [TAG.node]: node, ...(pool ? { [TAG.pool]: pool } : {}) };
}

/** Tags as the launch request carries them, sorted by key so requests are deterministic. */
export function toWireTags(tags: Record<string, string>): WireTag[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key] as string }));
}

/**
 * Every tag of an instance: the API's tags, and, where the API returned none of navarch's, the
 * identity its name carries. Tags win over the name, so a renamed instance keeps its identity.
 */
export function instanceTags(inst: Pick<WireInstance, 'name' | 'tags'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of inst.tags ?? []) {
    if (t && typeof t.key === 'string' && typeof t.value === 'string') out[t.key] = t.value;
  }
  if (out[TAG.fleet] === undefined && out[TAG.node] === undefined) return { ...tagsFromName(inst.name), ...out };
  return out;
}
