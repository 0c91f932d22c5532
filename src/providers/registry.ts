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

/** Per provider type, where its credentials come from, in words; none of these loads a cloud SDK. */
const CREDENTIAL_SOURCES: Partial<Record<ProviderType, (config: ProviderConfig, ctx: Pick<ProviderContext, 'root' | 'env'>) => Promise<string>>> = {
  fake: async () => 'none needed (the embedded fake cloud)',
  aws: async (_config, ctx) => (await import('./aws/credential-source.js')).awsCredentialSource(ctx.env),
  gcp: async (_config, ctx) => (await import('./gcp/credential-source.js')).gcpCredentialSource(ctx.env),
  lambda: async (config, ctx) => {
    const [{ lambdaCredentialSource }, { parseLambdaSettings }] = await Promise.all([import('./lambda/credential-source.js'), import('./lambda/settings.js')]);
    return lambdaCredentialSource(parseLambdaSettings(ctx.root, config.settings), ctx.env);
  },
};

/**
 * Where a declared provider's credentials will come from (an environment variable, a file, a role),
 * for `navarch doctor`: it names the source and never reads out a secret.
 */
export async function credentialSource(config: ProviderConfig, ctx: Pick<ProviderContext, 'root' | 'env'>): Promise<string> {
  const describe = CREDENTIAL_SOURCES[config.type];
  return describe ? describe(config, ctx) : 'unknown to this build of navarch';
}
