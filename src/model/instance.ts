/** What providers report and accept: cloud instances and their tags. */

/** Lifecycle of an instance as navarch sees it, whatever the cloud calls it. */
export type InstanceState = 'pending' | 'running' | 'stopping' | 'terminated' | 'failed';

/** Tag keys navarch puts on every instance it creates. Lower-case with dashes: valid on AWS, GCP and as Lambda names. */
export const TAG = {
  managedBy: 'navarch-managed-by',
  fleet: 'navarch-fleet',
  pool: 'navarch-pool',
  node: 'navarch-node',
} as const;

export const MANAGED_BY_VALUE = 'navarch';

/** A cloud instance as returned by `Provider.list()` and `Provider.provision()`. */
export interface Instance {
  /** The cloud's own id (EC2 instance id, GCP instance name/id, Lambda id). */
  id: string;
  /** Provider name as declared in navarch.yaml. */
  provider: string;
  region: string;
  zone: string | undefined;
  instanceType: string;
  spot: boolean;
  state: InstanceState;
  /** Every tag/label on the instance, navarch's included. */
  tags: Record<string, string>;
  /** ISO-8601 launch time when the cloud reports it. */
  launchedAt: string | undefined;
  privateIp: string | undefined;
  publicIp: string | undefined;
}

/** What apply asks a provider to create. Provisioning is idempotent on `nodeName`. */
export interface ProvisionRequest {
  /** Deterministic node name; carried as the `navarch-node` tag and used as the idempotency key. */
  nodeName: string;
  instanceType: string;
  region: string;
  /** A specific zone, or undefined to let the provider choose. */
  zone: string | undefined;
  spot: boolean;
  /** Highest acceptable price per node-hour (USD) for spot requests. */
  maxPricePerHour: number | undefined;
  /** Tags to put on the instance at launch (navarch's and the pool's labels). */
  tags: Record<string, string>;
  /** Cloud-init user data / startup script (the agent bootstrap). */
  userData: string | undefined;
}

/** Selects instances by tag equality; `list()` returns only instances carrying all of them. */
export interface ListFilter {
  tags: Record<string, string>;
}

/** Whether `tags` carry every tag of `filter` with the same value: the rule every `list()` applies. */
export function matchesTags(tags: Readonly<Record<string, string>>, filter: Readonly<Record<string, string>>): boolean {
  return Object.entries(filter).every(([k, v]) => tags[k] === v);
}

/** An instance type on offer, with live availability where the cloud reports it. */
export interface Offer {
  provider: string;
  instanceType: string;
  region: string;
  available: boolean;
  pricePerHour: number | undefined;
}
