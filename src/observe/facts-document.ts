/**
 * The control plane's node facts on the wire (`GET /v1/facts`): what its planner used in its last
 * pass, after the circuit breaker, so that a plan made elsewhere (a pull request's, in the GitHub
 * Action) sees each node as the control plane does. Both ends use this one format; the reader
 * checks every field, since the two may be different versions of navarch.
 */
import { isRecord, NavarchError, type HealthState, type NodeFacts } from '../model/index.js';

/** The format's version; a reader refuses any other. */
export const FACTS_VERSION = 1;

/** One node's facts as served. */
export interface FactsDocumentNode {
  name: string;
  health: HealthState;
  reason: string | null;
  cordoned: boolean;
}

/** The body of `GET /v1/facts`. */
export interface FactsDocument {
  version: typeof FACTS_VERSION;
  /** When the pass judged the fleet (ISO-8601). */
  computed_at: string;
  /** The commit the pass read the configuration at (null for a directory). */
  desired_commit: string | null;
  /** Every live node the pass judged, by name. */
  nodes: FactsDocumentNode[];
}

/** Facts as a reader takes them in. */
export interface ServedFacts {
  facts: Map<string, NodeFacts>;
  computedAt: string;
  desiredCommit: string | null;
}

const HEALTH: ReadonlySet<string> = new Set<HealthState>(['healthy', 'degraded', 'unhealthy', 'unknown']);

/** The document of `facts`, judged at `computedAt` (ms) from the configuration at `desiredCommit`. */
export function factsDocument(facts: ReadonlyMap<string, NodeFacts>, computedAt: number, desiredCommit: string | undefined): FactsDocument {
  const nodes = [...facts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, f]) => ({ name, health: f.health, reason: f.reason ?? null, cordoned: f.cordoned }));
  return { version: FACTS_VERSION, computed_at: new Date(computedAt).toISOString(), desired_commit: desiredCommit ?? null, nodes };
}

const invalid = (what: string): NavarchError => new NavarchError('facts.invalid', `the control plane's facts are not what this navarch reads: ${what}`);

/** Reads a facts document; throws `facts.invalid` naming the first field that is wrong. */
export function parseFactsDocument(value: unknown): ServedFacts {
  if (!isRecord(value)) throw invalid('the body is not a JSON object');
  if (value['version'] !== FACTS_VERSION) throw invalid(`version is ${JSON.stringify(value['version'])}, expected ${FACTS_VERSION}`);
  const computedAt = value['computed_at'];
  if (typeof computedAt !== 'string' || Number.isNaN(Date.parse(computedAt))) throw invalid('computed_at must be an ISO-8601 time');
  const commit = value['desired_commit'];
  if (commit !== null && typeof commit !== 'string') throw invalid('desired_commit must be a string or null');
  const nodes = value['nodes'];
  if (!Array.isArray(nodes)) throw invalid('nodes must be an array');
  const facts = new Map<string, NodeFacts>();
  for (const [i, n] of nodes.entries()) {
    const at = `nodes/${i}`;
    if (!isRecord(n)) throw invalid(`${at} must be an object`);
    const { name, health, reason, cordoned } = n;
    if (typeof name !== 'string' || name === '') throw invalid(`${at}/name must be a node name`);
    if (typeof health !== 'string' || !HEALTH.has(health)) throw invalid(`${at}/health must be one of ${[...HEALTH].join(', ')}`);
    if (reason !== null && typeof reason !== 'string') throw invalid(`${at}/reason must be a string or null`);
    if (typeof cordoned !== 'boolean') throw invalid(`${at}/cordoned must be true or false`);
    facts.set(name, { health: health as HealthState, reason: reason ?? undefined, cordoned });
  }
  return { facts, computedAt, desiredCommit: commit };
}
