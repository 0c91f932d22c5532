/** The built-in catalog of GPU instance types and prices. */
export type { CatalogSource, InstanceTypeInfo, RegionPrice } from './types.js';
export type { RegionalPrice } from './catalog.js';
export type { CatalogQuery, CatalogRow, OfferedRegion, SortKey } from './query.js';
export { queryCatalog, SORT_KEYS } from './query.js';
export { summarizeByGpu, type GpuHourPrice, type GpuModelSummary } from './summary.js';
export {
  catalogProviders,
  catalogSource,
  catalogSources,
  cheapestOnDemand,
  cheapestPrice,
  instanceTypes,
  knownGpus,
  lookupInstanceType,
  matchesGpu,
  priceOf,
  regionsOf,
  resolveGpu,
  zonesOf,
} from './catalog.js';
