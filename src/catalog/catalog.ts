/** Look-ups over the built-in catalog. Pure functions over static data. */
import type { ProviderType } from '../model/index.js';
import type { CatalogSource, InstanceTypeInfo, RegionPrice } from './types.js';
import { FAKE_SOURCE, FAKE_TYPES } from './fake.js';

const ALL: InstanceTypeInfo[] = [...FAKE_TYPES];
const SOURCES: CatalogSource[] = [FAKE_SOURCE];

const BY_KEY = new Map<string, InstanceTypeInfo>(ALL.map((t) => [`${t.provider}/${t.instanceType}`, t]));

/** Every catalog entry, optionally of one provider type. */
export function instanceTypes(provider?: ProviderType): InstanceTypeInfo[] {
  return provider ? ALL.filter((t) => t.provider === provider) : [...ALL];
}

/** Where each provider's figures come from. */
export function catalogSources(): CatalogSource[] {
  return [...SOURCES];
}

export function lookupInstanceType(provider: ProviderType, instanceType: string): InstanceTypeInfo | undefined {
  return BY_KEY.get(`${provider}/${instanceType}`);
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

/**
 * Instance types of a provider with exactly `gpus` GPUs of model `gpu` (an id or a family),
 * cheapest first, ties broken by name so the order is deterministic.
 */
export function resolveGpu(provider: ProviderType, gpu: string, gpus: number): InstanceTypeInfo[] {
  const want = gpu.toLowerCase();
  return ALL.filter((t) => t.provider === provider && t.gpus === gpus && (t.gpu === want || t.gpuFamily === want)).sort(
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
