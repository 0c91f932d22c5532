/** Cloud adapters behind one interface, and the registry that builds them. */
export type { Provider, ProviderContext, ProviderFactory } from './types.js';
export { createProvider, createProviders, availableProviderTypes, credentialSource } from './registry.js';
