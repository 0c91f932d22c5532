/**
 * Lambda Cloud over its REST API (global fetch, no SDK): instance types with live capacity per
 * region, launch, terminate and list, paced to the account's rate limits. Loaded lazily through the
 * provider registry.
 */
import type { ProviderFactory } from '../types.js';
import { LambdaClient } from './client.js';
import { resolveApiKey } from './credentials.js';
import { LambdaProvider } from './provider.js';
import { parseLambdaSettings } from './settings.js';

/** Builds a Lambda provider from its navarch.yaml settings; the API key comes from the environment or `api_key_file`. */
export const createLambdaProvider: ProviderFactory = async (config, ctx) => {
  const settings = parseLambdaSettings(ctx.root, config.settings);
  const logger = ctx.logger.child({ component: 'lambda', provider: config.name });
  const client = new LambdaClient({
    provider: config.name,
    endpoint: settings.endpoint,
    apiKey: await resolveApiKey(settings.apiKeyFile, ctx.env),
    clock: ctx.clock,
    logger,
    requestIntervalMs: settings.requestIntervalMs,
    launchIntervalMs: settings.launchIntervalMs,
  });
  return new LambdaProvider(config.name, settings, client, logger);
};

export { LambdaProvider, MAX_USER_DATA_BYTES } from './provider.js';
export { LambdaClient, REQUEST_TIMEOUT_MS } from './client.js';
export {
  API_KEY_ENV,
  DEFAULT_ENDPOINT,
  DEFAULT_LAUNCH_INTERVAL_MS,
  DEFAULT_REQUEST_INTERVAL_MS,
  parseLambdaSettings,
  type LambdaSettings,
} from './settings.js';
export { classify, LAMBDA_ERROR_CLASSES, parseRetryAfter } from './errors.js';
export { instanceName, instanceTags, tagsFromName, MAX_NAME_LENGTH } from './names.js';
export { buildOffers, catalogPrice } from './offers.js';
export { Pacer } from './pacer.js';
