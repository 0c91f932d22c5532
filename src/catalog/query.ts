/**
 * Filtering, pricing and ordering of catalog entries for listings (`navarch gpus`, the control plane's
 * API). Pure: the same query always gives the same rows in the same order.
 */
import type { ProviderType } from '../model/index.js';
import type { InstanceTypeInfo, RegionPrice } from './types.js';
import { cheapestPrice, instanceTypes, matchesGpu, type RegionalPrice } from './catalog.js';
import { usd } from './gpus.js';

/** Orders a listing can take. */
export const SORT_KEYS = ['gpu-price', 'price', 'gpus', 'memory', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** What to list. Every field narrows the listing; an absent field does not. */
export interface CatalogQuery {
  providers?: readonly ProviderType[];
  /** GPU id or family, any case. */
  gpu?: string;
  /** Exact GPUs per node. */
  gpus?: number;
  /** Only types offered in this region, priced there. */
  region?: string;
  /** Price by spot, and keep only types that have a spot price. */
  spot?: boolean;
  /** Defaults to `gpu-price`. */
  sort?: SortKey;
}

/** One instance type as a listing shows it. */
export interface CatalogRow {
  info: InstanceTypeInfo;
  /** Cheapest price in the queried market, with its region. */
  price: RegionalPrice | undefined;
  pricePerGpu: number | undefined;
  /** Cheapest spot price, whatever the queried market. */
  spot: RegionalPrice | undefined;
  /** The regions the listing covers (all of the type's, or the queried one). */
  regions: RegionPrice[];
}

/** Undefined sorts after every number, in either direction. */
function byNumber(a: number | undefined, b: number | undefined, descending = false): number {
  if (a === undefined || b === undefined) return (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0);
  return descending ? b - a : a - b;
}

function byName(a: CatalogRow, b: CatalogRow): number {
  return (
    a.info.provider.localeCompare(b.info.provider, 'en') ||
    a.info.instanceType.localeCompare(b.info.instanceType, 'en', { numeric: true })
  );
}

const ORDER: Record<SortKey, (a: CatalogRow, b: CatalogRow) => number> = {
  'gpu-price': (a, b) => byNumber(a.pricePerGpu, b.pricePerGpu),
  price: (a, b) => byNumber(a.price?.price, b.price?.price),
  // Biggest first: someone sorting by size is looking for the large nodes.
  gpus: (a, b) => b.info.gpus - a.info.gpus,
  memory: (a, b) => b.info.gpuMemoryGiB - a.info.gpuMemoryGiB || b.info.gpus - a.info.gpus,
  name: (a, b) => byName(a, b),
};

/** Rows matching `query`, priced and ordered; ties fall back to $/GPU-hr, then provider and type name. */
export function queryCatalog(query: CatalogQuery = {}): CatalogRow[] {
  const spot = query.spot ?? false;
  const rows: CatalogRow[] = [];
  for (const info of instanceTypes()) {
    if (query.providers && !query.providers.includes(info.provider)) continue;
    if (query.gpu !== undefined && !matchesGpu(info, query.gpu)) continue;
    if (query.gpus !== undefined && info.gpus !== query.gpus) continue;
    const regions = query.region === undefined ? info.regions : info.regions.filter((r) => r.region === query.region);
    if (regions.length === 0) continue;
    const cheapestSpot = cheapestPrice(info, true, query.region);
    if (spot && cheapestSpot === undefined) continue;
    const price = spot ? cheapestSpot : cheapestPrice(info, false, query.region);
    rows.push({
      info,
      price,
      pricePerGpu: price === undefined ? undefined : usd(price.price / info.gpus),
      spot: cheapestSpot,
      regions,
    });
  }
  const order = ORDER[query.sort ?? 'gpu-price'];
  return rows.sort((a, b) => order(a, b) || ORDER['gpu-price'](a, b) || byName(a, b));
}
