/**
 * Creating one node: walk the action's placements (and each placement's zones) in order, retry
 * throttling and transient errors in place, move on after capacity or quota errors, stop on
 * auth or invalid-request errors. Each move is reported with its reason.
 */
import { lookupInstanceType } from '../catalog/index.js';
import {
  MANAGED_BY_VALUE,
  ProviderError,
  retry,
  TAG,
  type Action,
  type Clock,
  type Instance,
  type PlacementCandidate,
  type PoolSpec,
  type ProviderErrorClass,
} from '../model/index.js';
import type { Provider } from '../providers/index.js';
import type { CapacityMemory } from './capacity-memory.js';
import type { ApplyEvent } from './events.js';

/**
 * The outcome of one call to a provider's `provision` (each retry is a call of its own): `ok`, the
 * class of the provider's error, or `error` for a failure no provider classified.
 */
export interface ProvisionAttempt {
  /** The provider's name in navarch.yaml. */
  provider: string;
  result: 'ok' | ProviderErrorClass | 'error';
}

export interface ProvisionContext {
  fleet: string;
  pool: PoolSpec | undefined;
  providers: ReadonlyMap<string, Provider>;
  clock: Clock;
  memory: CapacityMemory;
  emit: (e: ApplyEvent) => void;
  userData: UserDataHook | undefined;
  /** Told of every provision call's outcome (the control plane counts them). */
  onAttempt?: ((attempt: ProvisionAttempt) => void) | undefined;
  /** Retry policy for throttled/transient errors. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/**
 * The user data (cloud-init) a new node boots with, asked for each placement tried: what the node
 * runs may depend on where it lands (the instance type's GPU count, the provider).
 */
export type UserDataHook = (node: string, pool: string, placement: PlacementCandidate) => string | undefined;

export interface Provisioned {
  instance: Instance;
  /** `aws us-east-1a: InsufficientInstanceCapacity → gcp us-central1-a` when apply had to move on. */
  note: string | undefined;
}

const where = (p: PlacementCandidate, zone: string | undefined): string => `${p.provider} ${zone ?? p.region}`;

/** Tags every node carries: navarch's identity tags plus the pool's labels. */
export function nodeTags(fleet: string, pool: string, node: string, labels: Record<string, string>): Record<string, string> {
  return { ...labels, [TAG.managedBy]: MANAGED_BY_VALUE, [TAG.fleet]: fleet, [TAG.pool]: pool, [TAG.node]: node };
}

export async function provisionNode(action: Action, ctx: ProvisionContext): Promise<Provisioned> {
  const failures: string[] = [];
  let lastError: ProviderError | undefined;
  const tags = nodeTags(ctx.fleet, action.pool, action.node, ctx.pool?.labels ?? {});
  const attempts = action.placements.flatMap((p) => (p.zones.length > 0 ? p.zones : [undefined]).map((zone) => ({ p, zone })));
  for (const [i, { p, zone }] of attempts.entries()) {
    const provider = ctx.providers.get(p.provider);
    if (!provider) {
      failures.push(`${where(p, zone)}: provider not configured`);
      continue;
    }
    const gpus = lookupInstanceType(p.providerType, p.instanceType)?.gpus;
    const maxPricePerHour = p.spot && ctx.pool?.maxPrice !== undefined && gpus ? ctx.pool.maxPrice * gpus : undefined;
    try {
      const userData = ctx.userData?.(action.node, action.pool, p);
      const told = (result: ProvisionAttempt['result']): void => ctx.onAttempt?.({ provider: p.provider, result });
      const instance = await retry(
        () =>
          provider
            .provision({
              nodeName: action.node,
              instanceType: p.instanceType,
              region: p.region,
              zone,
              spot: p.spot,
              maxPricePerHour,
              tags,
              userData,
            })
            .then(
              (made) => {
                told('ok');
                return made;
              },
              (err: unknown) => {
                told(err instanceof ProviderError ? err.errorClass : 'error');
                throw err;
              },
            ),
        {
          clock: ctx.clock,
          attempts: ctx.attempts,
          baseMs: ctx.baseMs,
          maxMs: ctx.maxMs,
          onRetry: (err, attempt, waitMs) =>
            ctx.emit({ type: 'retry', action, error: err instanceof Error ? err.message : String(err), attempt, waitMs }),
        },
      );
      const note = failures.length > 0 ? `${failures.join('; ')} → ${where(p, zone)}` : undefined;
      return { instance, note };
    } catch (err) {
      if (!(err instanceof ProviderError) || !err.tryElsewhere) throw err;
      lastError = err;
      ctx.memory.remember({ provider: p.provider, instanceType: p.instanceType, region: p.region, ...(zone ? { zone } : {}) }, ctx.clock.now());
      failures.push(`${where(p, zone)}: ${err.providerCode ?? err.errorClass}`);
      const next = attempts[i + 1];
      if (next) ctx.emit({ type: 'failover', action, from: where(p, zone), to: where(next.p, next.zone), error: err.message });
    }
  }
  throw new ProviderError(lastError?.errorClass ?? 'capacity', lastError?.provider ?? 'navarch', `no placement could take ${action.node}: ${failures.join('; ')}`, {
    ...(lastError?.providerCode ? { providerCode: lastError.providerCode } : {}),
    cause: lastError,
  });
}
