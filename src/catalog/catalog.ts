/** Look-ups over the built-in catalog. Pure functions over static data. */
import type { ProviderType } from '../model/index.js';
import type { CatalogSource, InstanceTypeInfo, RegionPrice } from './types.js';
import { AWS_SOURCE, AWS_TYPES } from './aws.js';
import { FAKE_SOURCE, FAKE_TYPES } from './fake.js';
import { GCP_SOURCE, GCP_TYPES } from './gcp.js';
import { LAMBDA_SOURCE, LAMBDA_TYPES } from './lambda.js';

const ALL: InstanceTypeInfo[] = [...FAKE_TYPES, ...AWS_TYPES, ...GCP_TYPES, ...LAMBDA_TYPES];
const SOURCES: CatalogSource[] = [FAKE_SOURCE, AWS_SOURCE, GCP_SOURCE, LAMBDA_SOURCE];

const BY_KEY = new Map<string, InstanceTypeInfo>(ALL.map((t) => [`${t.provider}/${t.instanceType}`, t]));

/** Every catalog entry, optionally of one provider type. */
export function instanceTypes(provider?: ProviderType): InstanceTypeInfo[] {
  return provider ? ALL.filter((t) => t.provider === provider) : [...ALL];
}

/** Where each provider's figures come from. */
export function catalogSources(): CatalogSource[] {
  return [...SOURCES];
}

/** Where one provider's figures come from. */
export function catalogSource(provider: ProviderType): CatalogSource | undefined {
  return SOURCES.find((s) => s.provider === provider);
}

/** Provider types the catalog has entries for, in catalog order. */
export function catalogProviders(): ProviderType[] {
  return [...new Set(ALL.map((t) => t.provider))];
}

/** One instance type of a provider, or undefined when the catalog does not know it. */
export function lookupInstanceType(provider: ProviderType, instanceType: string): InstanceTypeInfo | undefined {
  return BY_KEY.get(`${provider}/${instanceType}`);
}

/** Whether a type carries GPU `gpu`, named by id (`a100-80gb`) or family (`a100`), in any case. */
export function matchesGpu(info: InstanceTypeInfo, gpu: string): boolean {
  const want = gpu.toLowerCase();
  return info.gpu === want || info.gpuFamily === want;
}

/** GPU ids and families a pool or job may name in `gpu:`. */
export function knownGpus(): string[] {
  return [...new Set(ALL.flatMap((t) => [t.gpu, t.gpuFamily]))].sort();
}

function regionPrice(info: InstanceTypeInfo, region: string): RegionPrice | undefined {
  return info.regions.find((r) => r.region === region);
}

/** USD per node-hour of a type in a region and market, or undefined when the catalog does not say. */
export function priceOf(provider: ProviderType, instanceType: string, region: string, spot: boolean): number | undefined {
  const info = lookupInstanceType(provider, instanceType);
  const r = info && regionPrice(info, region);
  return r ? (spot ? r.spot : r.onDemand) : undefined;
}

/** Cheapest known on-demand price of a type over its regions (for sorting). */
export function cheapestOnDemand(info: InstanceTypeInfo): number | undefined {
  const prices = info.regions.map((r) => r.onDemand).filter((p): p is number => p !== undefined);
  return prices.length ? Math.min(...prices) : undefined;
}

/** A price together with the region it applies to. */
export interface RegionalPrice {
  region: string;
  price: number;
}

/**
 * Cheapest known price of a type in one market, over its regions or in `region` only; ties go to the
 * region listed first so the answer is deterministic. Undefined when no region has a price.
 */
export function cheapestPrice(info: InstanceTypeInfo, spot: boolean, region?: string): RegionalPrice | undefined {
  let best: RegionalPrice | undefined;
  for (const r of info.regions) {
    if (region !== undefined && r.region !== region) continue;
    const price = spot ? r.spot : r.onDemand;
    if (price !== undefined && (best === undefined || price < best.price)) best = { region: r.region, price };
  }
  return best;
}

/**
 * Instance types of a provider with exactly `gpus` GPUs of model `gpu` (an id or a family),
 * cheapest first, ties broken by name so the order is deterministic.
 */
export function resolveGpu(provider: ProviderType, gpu: string, gpus: number): InstanceTypeInfo[] {
  return ALL.filter((t) => t.provider === provider && t.gpus === gpus && matchesGpu(t, gpu)).sort(
    (a, b) =>
      (cheapestOnDemand(a) ?? Infinity) - (cheapestOnDemand(b) ?? Infinity) || a.instanceType.localeCompare(b.instanceType),
  );
}

/** Regions where a type is offered (catalog order). */
export function regionsOf(provider: ProviderType, instanceType: string): string[] {
  return lookupInstanceType(provider, instanceType)?.regions.map((r) => r.region) ?? [];
}

/** Zones of a region where a type is offered. */
export function zonesOf(provider: ProviderType, instanceType: string, region: string): string[] {
  const info = lookupInstanceType(provider, instanceType);
  return (info && regionPrice(info, region)?.zones) ?? [];
}
