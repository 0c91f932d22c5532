/** The built-in catalog of GPU instance types and prices. */
export type { CatalogSource, InstanceTypeInfo, RegionPrice } from './types.js';
export {
  catalogSources,
  cheapestOnDemand,
  instanceTypes,
  knownGpus,
  lookupInstanceType,
  priceOf,
  regionsOf,
  resolveGpu,
  zonesOf,
} from './catalog.js';
