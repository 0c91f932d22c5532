/**
 * The static map of provider types to adapters. Adapters are imported lazily so a repository that
 * uses only the fake cloud never loads a cloud SDK.
 */
import { NavarchError, type ProviderConfig, type ProviderType } from '../model/index.js';
import type { Provider, ProviderContext, ProviderFactory } from './types.js';

const LOADERS: Partial<Record<ProviderType, () => Promise<ProviderFactory>>> = {
  fake: async () => (await import('./fake/index.js')).createFakeProvider,
  aws: async () => (await import('./aws/index.js')).createAwsProvider,
  lambda: async () => (await import('./lambda/index.js')).createLambdaProvider,
  gcp: async () => (await import('./gcp/index.js')).createGcpProvider,
};

/** Provider types this build can talk to. */
export function availableProviderTypes(): ProviderType[] {
  return Object.keys(LOADERS).sort() as ProviderType[];
}

/** Builds the adapter for one declared provider. */
export async function createProvider(config: ProviderConfig, ctx: ProviderContext): Promise<Provider> {
  const load = LOADERS[config.type];
  if (!load) {
    throw new NavarchError(
      'provider.unsupported',
      `provider "${config.name}" has type "${config.type}", which this build of navarch cannot drive (available: ${availableProviderTypes().join(', ')})`,
    );
  }
  const factory = await load();
  return factory(config, ctx);
}

/** Builds adapters for every declared provider, keyed by name. */
export async function createProviders(
  configs: Record<string, ProviderConfig>,
  ctx: ProviderContext,
): Promise<Map<string, Provider>> {
  const out = new Map<string, Provider>();
  for (const name of Object.keys(configs).sort()) {
    const config = configs[name];
    if (config) out.set(name, await createProvider(config, ctx));
  }
  return out;
}
