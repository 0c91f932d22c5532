/**
 * What provider tests build again and again: the requests apply makes of a provider, and the
 * ProviderError a call is expected to fail with. Free of test-runner imports, so worker processes
 * outside the runner can use it too.
 */
import { inspect } from 'node:util';
import { MANAGED_BY_VALUE, ProviderError, TAG, type ProvisionRequest } from '../../src/model/index.js';

/**
 * The tags apply puts on node `node` of pool `pool` in fleet `fleet` (managed-by, fleet, pool and
 * node, in that order), followed by the pool's `labels`.
 */
export function navarchTags(fleet: string, pool: string, node: string, labels: Record<string, string> = {}): Record<string, string> {
  return { [TAG.managedBy]: MANAGED_BY_VALUE, [TAG.fleet]: fleet, [TAG.pool]: pool, [TAG.node]: node, ...labels };
}

/**
 * A provision request for node `nodeName`, any field overridden by `over`. Without overrides it is
 * an on-demand `f1.1xh100` in the fake cloud's `local-1`, with no zone, price cap or user data,
 * tagged with fleet `demo`, pool `train` and the node name. Tags are replaced as a whole: pass
 * `navarchTags(…)` for the full set apply writes.
 */
export function provisionRequest(nodeName: string, over: Partial<ProvisionRequest> = {}): ProvisionRequest {
  return {
    nodeName,
    instanceType: 'f1.1xh100',
    region: 'local-1',
    zone: undefined,
    spot: false,
    maxPricePerHour: undefined,
    tags: { [TAG.fleet]: 'demo', [TAG.pool]: 'train', [TAG.node]: nodeName },
    userData: undefined,
    ...over,
  };
}

/**
 * The ProviderError `promise` rejects with. Throws (failing the test) when the promise resolves
 * or rejects with anything else.
 */
export async function providerFailure(promise: Promise<unknown>): Promise<ProviderError> {
  const outcome = await promise.then(
    (value: unknown) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) throw new Error(`expected a ProviderError, but the call succeeded with ${inspect(outcome.value, { depth: 2 })}`);
  if (!(outcome.error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${inspect(outcome.error, { depth: 2 })}`, { cause: outcome.error });
  return outcome.error;
}
