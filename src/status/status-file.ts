/**
 * Reading and writing the status file. Writes are atomic (temp file + rename), so a crash leaves
 * either the previous status or the new one, never half of either.
 */
import { readFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { parseDocument, stringify } from 'yaml';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { NavarchError, redactValue, type FleetStatus, type StatusNode } from '../model/index.js';
// Compiled from schemas/status.schema.json at build time (scripts/build-validators.mjs).
import { status as generated } from './validator.generated.js';

const validator = generated as ValidateFunction<FleetStatus>;

function validate(value: unknown): value is FleetStatus {
  return validator(value);
}

const HEADER =
  '# Written by navarch after every apply; do not edit by hand.\n' +
  '# yaml-language-server: $schema=https://navarch.dev/schemas/status.schema.json\n';

/** Parses status text; throws `status.invalid` naming the file and the first problem. */
export function parseStatus(text: string, file: string): FleetStatus {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new NavarchError('status.invalid', `${file}: not valid YAML: ${doc.errors[0]?.message ?? ''}`);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 0 });
  if (!validate(value)) {
    const e = validator.errors?.[0];
    throw new NavarchError(
      'status.invalid',
      `${file}: not a navarch status file: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}. ` +
        'It is machine-written; restore it from git (or delete it to rebuild it from the cloud).',
    );
  }
  return value;
}

/**
 * A node's keys in the order the file writes them (the schema's order). Several writers fill a node
 * in (apply, the control plane's facts); writing in one order keeps the same node the same bytes.
 */
export const NODE_KEYS: ReadonlyArray<keyof StatusNode> = [
  'name', 'pool', 'provider', 'region', 'zone', 'instance_type', 'instance_id', 'spot', 'state', 'health', 'health_reason', 'cordoned', 'since',
  'price_per_hour', 'placement_note', 'launched_at', 'private_ip', 'public_ip', 'agent_version', 'last_seen', 'gpu_health', 'lifecycle',
];

function ordered(node: StatusNode): StatusNode {
  const out: Record<string, unknown> = {};
  for (const k of NODE_KEYS) if (node[k] !== undefined) out[k] = node[k];
  for (const [k, v] of Object.entries(node)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as unknown as StatusNode;
}

/** Deterministic YAML for a status: same status, same bytes. Secrets are scrubbed on the way out. */
export function serializeStatus(status: FleetStatus): string {
  return HEADER + stringify(redactValue({ ...status, nodes: status.nodes.map(ordered) }), { lineWidth: 0, sortMapEntries: false });
}

/** Reads `<root>/<file>`; undefined when it does not exist yet. */
export async function readStatus(root: string, file: string): Promise<FleetStatus | undefined> {
  let text: string;
  try {
    text = await readFile(join(root, file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NavarchError('status.unreadable', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseStatus(text, file);
}

/** Writes `<root>/<file>` atomically, creating its directory. */
export async function writeStatus(root: string, file: string, status: FleetStatus): Promise<void> {
  const path = join(root, file);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, serializeStatus(status), { encoding: 'utf8' });
}
