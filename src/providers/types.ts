/** The contract every cloud adapter implements, the fake cloud included. */
import type { Clock, Instance, ListFilter, Offer, ProviderConfig, ProviderType, ProvisionRequest } from '../model/index.js';
import type { Logger } from '../log/index.js';

/**
 * A cloud adapter. Every method throws `ProviderError` (classified: capacity, quota, throttled, auth,
 * invalid, transient, not-found) for failures the caller should act on.
 */
export interface Provider {
  /** The provider's name in navarch.yaml (several providers may share a type). */
  readonly name: string;
  readonly type: ProviderType;
  /**
   * Creates an instance. Idempotent on `req.nodeName`: when an instance carrying that node name
   * already exists (not terminated), it is returned instead of creating a second one.
   */
  provision(req: ProvisionRequest, signal?: AbortSignal): Promise<Instance>;
  /** Terminates an instance by its cloud id. Terminating an already-gone instance succeeds. */
  terminate(instanceId: string, signal?: AbortSignal): Promise<void>;
  /** Instances carrying every tag in `filter`, following pagination to the end. Terminated ones are omitted. */
  list(filter: ListFilter, signal?: AbortSignal): Promise<Instance[]>;
  /** Replaces the user labels of an instance (navarch's own tags are kept). Optional. */
  setLabels?(instanceId: string, labels: Record<string, string>, signal?: AbortSignal): Promise<void>;
  /** Instance types on offer with live availability, where the cloud reports it. Optional. */
  offers?(signal?: AbortSignal): Promise<Offer[]>;
}

/** What a provider factory receives besides its own config. */
export interface ProviderContext {
  /** Absolute path of the config repository (the fake cloud keeps its state beside it). */
  root: string;
  clock: Clock;
  logger: Logger;
  /** Environment to read credentials from (never from the config files). */
  env: Readonly<Record<string, string | undefined>>;
}

export type ProviderFactory = (config: ProviderConfig, ctx: ProviderContext) => Promise<Provider> | Provider;
