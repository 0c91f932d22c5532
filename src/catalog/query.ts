/**
 * Filtering, pricing and ordering of catalog entries for listings (`navarch gpus`, the control plane's
 * API). Pure: the same query always gives the same rows in the same order.
 */
import type { ProviderType } from '../model/index.js';
import type { InstanceTypeInfo, RegionPrice } from './types.js';
import { instanceTypes, matchesGpu, type RegionalPrice } from './catalog.js';
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
  /**
   * Only these offers (live availability from the clouds): each row covers just the regions offered
   * for its type, priced as offered where the offer has a price, else by the catalog.
   */
  offers?: readonly OfferedRegion[];
}

/** One type offered in one region, as `Provider.offers()` reports it (by provider type). */
export interface OfferedRegion {
  provider: ProviderType;
  instanceType: string;
  region: string;
  /** USD per node-hour (on demand), when known. */
  pricePerHour: number | undefined;
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

/**
 * The regions a row covers: the type's catalog regions, or only the offered ones (catalog regions
 * first, in catalog order, then regions the catalog does not list yet, by name).
 */
function rowRegions(info: InstanceTypeInfo, offers: readonly OfferedRegion[] | undefined): RegionPrice[] {
  if (offers === undefined) return info.regions;
  const offered = new Map<string, number | undefined>();
  for (const o of offers) {
    if (o.provider !== info.provider || o.instanceType !== info.instanceType) continue;
    const known = offered.get(o.region);
    if (!offered.has(o.region) || (known === undefined && o.pricePerHour !== undefined)) offered.set(o.region, o.pricePerHour);
  }
  const inCatalog = info.regions
    .filter((r) => offered.has(r.region))
    .map((r) => ({ ...r, onDemand: offered.get(r.region) ?? r.onDemand }));
  const extra = [...offered.keys()]
    .filter((region) => !info.regions.some((r) => r.region === region))
    .sort()
    .map((region): RegionPrice => ({ region, zones: [], onDemand: offered.get(region), spot: undefined }));
  return [...inCatalog, ...extra];
}

/** Cheapest price of a market over `regions`; ties go to the region listed first. */
function cheapestIn(regions: readonly RegionPrice[], spot: boolean): RegionalPrice | undefined {
  let best: RegionalPrice | undefined;
  for (const r of regions) {
    const price = spot ? r.spot : r.onDemand;
    if (price !== undefined && (best === undefined || price < best.price)) best = { region: r.region, price };
  }
  return best;
}

/** Rows matching `query`, priced and ordered; ties fall back to $/GPU-hr, then provider and type name. */
export function queryCatalog(query: CatalogQuery = {}): CatalogRow[] {
  const spot = query.spot ?? false;
  const rows: CatalogRow[] = [];
  for (const info of instanceTypes()) {
    if (query.providers && !query.providers.includes(info.provider)) continue;
    if (query.gpu !== undefined && !matchesGpu(info, query.gpu)) continue;
    if (query.gpus !== undefined && info.gpus !== query.gpus) continue;
    const all = rowRegions(info, query.offers);
    const regions = query.region === undefined ? all : all.filter((r) => r.region === query.region);
    if (regions.length === 0) continue;
    const cheapestSpot = cheapestIn(regions, true);
    if (spot && cheapestSpot === undefined) continue;
    const price = spot ? cheapestSpot : cheapestIn(regions, false);
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
