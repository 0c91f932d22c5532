/**
 * Amazon EC2. Loaded only through the provider registry, so the AWS SDK is imported only by
 * repositories that declare an `aws` provider.
 */
import type { ProviderFactory } from '../types.js';
import { Ec2Clients } from './client.js';
import { AwsProvider } from './provider.js';
import { parseAwsSettings } from './settings.js';

/** Builds an EC2 provider from its navarch.yaml settings; credentials come from the AWS credential chain. */
export const createAwsProvider: ProviderFactory = (config, ctx) => {
  const settings = parseAwsSettings(config.settings);
  const logger = ctx.logger.child({ component: 'aws', provider: config.name });
  return new AwsProvider(config.name, settings, new Ec2Clients(settings, ctx.env), logger);
};

export { AwsProvider } from './provider.js';
export { parseAwsSettings, catalogRegions, type AwsSettings, type InstanceProfileRef } from './settings.js';
export { classifyCode, toProviderError } from './errors.js';
export { clientToken } from './launch.js';
export { PROVIDER_TAGS_KEY, toInstanceState } from './convert.js';
