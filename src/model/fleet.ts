/** The desired state: what the config repository declares, validated and normalised. */

/** Where a value came from in the config repository (1-based line and column). */
export interface SourceRef {
  file: string;
  line: number;
  column: number;
}

/** Cloud adapter kinds navarch knows. */
export type ProviderType = 'fake' | 'aws' | 'gcp' | 'lambda';

/** A provider declared in navarch.yaml under `providers.<name>`. */
export interface ProviderConfig {
  /** The key under `providers:`; pools refer to providers by this name. */
  name: string;
  type: ProviderType;
  /** Type-specific settings as written (secrets must come from the environment, never from here). */
  settings: Record<string, unknown>;
  source: SourceRef;
}

/** One concrete place a pool's node can be created: provider + region (+ zones) + instance type. */
export interface PlacementCandidate {
  provider: string;
  providerType: ProviderType;
  region: string;
  /** Zones to try in order; empty means "let the provider choose". */
  zones: string[];
  instanceType: string;
  /** Lower is preferred. Candidates of equal priority are ordered by price, then by name. */
  priority: number;
  spot: boolean;
  /** Catalog price for this placement in USD per node-hour, when known. */
  pricePerHour: number | undefined;
}

/** Most nodes of a pool replaced for health at once: a node count, or a share of the pool (rounded up). */
export type DisruptionBudget = { count: number } | { percent: number };

/**
 * Health settings of a pool (`health:`). The optional fields are what the user wrote (pool, else
 * `defaults.health`); the control plane fills in its defaults for the rest.
 */
export interface PoolHealthPolicy {
  /** Consecutive unhealthy evaluations before a node is considered unhealthy. */
  unhealthyAfter: number;
  /** Replace unhealthy nodes without a human. */
  autoReplace: boolean;
  /** Silence (ms) after which a registered node counts as unhealthy. */
  heartbeatTimeoutMs?: number;
  /** Time (ms) a launched node has to register its agent before it counts as unhealthy; 0: wait forever. */
  registrationTimeoutMs?: number;
  /** Most nodes replaced for health in one reconcile. */
  disruptionBudget?: DisruptionBudget;
  /** Share of the pool (1-100) that, turning unhealthy or silent at once, halts automatic replacement. */
  breakerPercent?: number;
  /** GPU temperature (Celsius) from which a node is degraded. */
  thermalDegradedC?: number;
  /** GPU temperature (Celsius) from which an evaluation is unhealthy. */
  thermalUnhealthyC?: number;
  /** GPU-reset-class errors within 24 hours after which the node is replaced. */
  resetsBeforeReplace?: number;
}

/** A node pool after validation and normalisation. */
export interface PoolSpec {
  name: string;
  source: SourceRef;
  /** Abstract GPU model (e.g. `h100`) when the pool was declared that way. */
  gpu: string | undefined;
  /** GPUs per node. */
  gpus: number | undefined;
  /** Every acceptable placement, in order of preference. Never empty. */
  candidates: PlacementCandidate[];
  minNodes: number;
  maxNodes: number;
  /** The node count to hold: `nodes` if given, else `min_nodes`. Always within [min, max]. */
  targetNodes: number;
  spot: boolean;
  /** Highest acceptable price, USD per GPU-hour (as the seeds define `max_price`). */
  maxPrice: number | undefined;
  labels: Record<string, string>;
  health: PoolHealthPolicy;
  /** Autoscaling settings as written (interpreted by the control plane). */
  autoscaling: Record<string, unknown> | undefined;
  /** Cooldown between scaling actions, in ms. */
  cooldownMs: number | undefined;
  /** A protected pool's nodes are never destroyed by a plan. */
  protect: boolean;
}

/** A job as declared in `jobs/<name>.yaml` (validated; not scheduled by the core loop). */
export interface JobSpec {
  name: string;
  source: SourceRef;
  gpu: string;
  gpus: number;
  nodes: number;
  spot: boolean;
  maxPrice: number | undefined;
  image: string | undefined;
  env: Record<string, string>;
  workdir: string | undefined;
  mounts: string[];
  setup: string | undefined;
  run: string;
  pool: string | undefined;
}

/** Fleet-wide settings from navarch.yaml. */
export interface FleetSettings {
  /** Share of a pool's nodes (0-100) a plan may destroy or replace without `--allow-destroy`. */
  maxDestroyPercent: number;
  /** Most nodes a plan may grow one pool to without `--allow-large`. */
  maxNodesPerPool: number;
  /** Most nodes one plan may create without `--allow-large`. */
  maxCreate: number;
  /** What to do with instances carrying this fleet's tags that no pool claims: report, adopt or destroy. */
  orphans: 'report' | 'destroy';
  /** How many reconciles the status file keeps in its history. */
  historyLimit: number;
  /** Max provider calls apply runs at once. */
  applyConcurrency: number;
}

/** The validated desired state of a fleet. Produced by `config`, consumed by `plan`. */
export interface DesiredFleet {
  /** Fleet name; every instance carries it as a tag so fleets sharing an account never mix. */
  fleet: string;
  /** True when navarch.yaml names no `fleet:` and the name comes from the repository's directory. */
  fleetFromRoot?: boolean;
  /** Absolute path of the config repository's root. */
  root: string;
  /** Git commit the state was read at, when known. */
  commit: string | undefined;
  /** Content digest of the normalised desired state (positions excluded). */
  digest: string;
  /** Repo-relative path of the status file. */
  statusFile: string;
  providers: Record<string, ProviderConfig>;
  /** Pools sorted by name. */
  pools: PoolSpec[];
  /** Jobs sorted by name. */
  jobs: JobSpec[];
  settings: FleetSettings;
  /** Raw pool documents as normalised for diffing (JSON Patch between desired and last applied). */
  poolDocuments: Record<string, Record<string, unknown>>;
  /** `control_plane:` of navarch.yaml as written (interpreted by `navarch serve`; not part of the digest). */
  controlPlane?: Record<string, unknown>;
}
