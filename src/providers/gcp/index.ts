/**
 * Google Compute Engine. Loaded only through the provider registry, so a repository that does not
 * use GCP never loads the Google client libraries.
 */
import type { ProviderFactory } from '../types.js';
import { createComputeClients } from './client.js';
import { GcpProvider } from './provider.js';
import { parseGcpSettings } from './settings.js';

/** Builds a GCP provider from its navarch.yaml settings; credentials come from `ctx.env` (ADC). */
export const createGcpProvider: ProviderFactory = (config, ctx) => {
  const settings = parseGcpSettings(config.settings);
  const clients = createComputeClients(settings, ctx.env);
  const logger = ctx.logger.child({ component: 'gcp', provider: config.name });
  return new GcpProvider(config.name, settings, clients, ctx.clock, logger);
};

export { GcpProvider } from './provider.js';
export { createComputeClients, registerCredentialFileSecrets, type ComputeClients } from './client.js';
export { classifyError, operationError, type ErrorContext } from './errors.js';
export { stateOf, toInstance } from './instance.js';
export { formatInstanceId, instanceName, labelFilter, parseInstanceId, type InstanceRef } from './names.js';
export { defaultDiskType, instanceResource } from './request.js';
export { DEFAULT_DISK_SIZE_GB, DEFAULT_ENDPOINT, DEFAULT_IMAGE, parseGcpSettings, type GcpSettings } from './settings.js';
