/**
 * Offers from `GET /instance-types`: every type the API lists, in every region the catalog or the
 * API names, available where the API reports capacity now (`regions_with_capacity_available`).
 * Prices come from navarch's catalog, never from the API, so plans, `navarch gpus` and offers agree;
 * Lambda charges one price in every region, so a region the catalog does not list yet is priced
 * as the type's catalog price elsewhere.
 */
import { cheapestOnDemand, lookupInstanceType, priceOf } from '../../catalog/index.js';
import type { Offer } from '../../model/index.js';
import type { WireInstanceTypeEntry } from './wire.js';

/** USD per node-hour of a Lambda type in a region, from the catalog. */
export function catalogPrice(instanceType: string, region: string): number | undefined {
  const regional = priceOf('lambda', instanceType, region, false);
  if (regional !== undefined) return regional;
  const info = lookupInstanceType('lambda', instanceType);
  return info ? cheapestOnDemand(info) : undefined;
}

/**
 * Builds the offers of provider `provider` from an instance-types response, limited to `regions`
 * when that is not empty. Ordered by type, then region, so the result is deterministic.
 */
export function buildOffers(provider: string, types: ReadonlyMap<string, WireInstanceTypeEntry>, regions: readonly string[]): Offer[] {
  const allowed = (r: string): boolean => regions.length === 0 || regions.includes(r);
  const out: Offer[] = [];
  for (const name of [...types.keys()].sort()) {
    const entry = types.get(name) as WireInstanceTypeEntry;
    const live = new Set(entry.regions_with_capacity_available.map((r) => r.name));
    const known = lookupInstanceType('lambda', name)?.regions.map((r) => r.region) ?? [];
    const all = [...new Set([...known, ...live, ...regions])].filter(allowed).sort();
    for (const region of all) {
      out.push({ provider, instanceType: name, region, available: live.has(region), pricePerHour: catalogPrice(name, region) });
    }
  }
  return out;
}
