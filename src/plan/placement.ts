/** Whether an existing node still fits its pool, and in words why not. Pure. */
import type { ObservedNode, Offer, PlacementCandidate, PoolSpec } from '../model/index.js';

/** True when the node's provider, type, region, market and zone match one of the pool's placements. */
export function fitsCandidate(node: ObservedNode, c: PlacementCandidate): boolean {
  return (
    node.provider === c.provider &&
    node.instanceType === c.instanceType &&
    node.region === c.region &&
    node.spot === c.spot &&
    (c.zones.length === 0 || node.zone === undefined || c.zones.includes(node.zone))
  );
}

export function conforms(node: ObservedNode, pool: PoolSpec): boolean {
  return pool.candidates.some((c) => fitsCandidate(node, c));
}

const market = (spot: boolean): string => (spot ? 'spot' : 'on-demand');

/**
 * Explains why a node no longer fits its pool, naming the first dimension that differs from the
 * pool's preferred placement (provider, then instance type, market, region, zone).
 */
export function mismatchReason(node: ObservedNode, pool: PoolSpec): string {
  const providers = new Set(pool.candidates.map((c) => c.provider));
  if (!providers.has(node.provider)) {
    return `provider "${node.provider}" is no longer a placement of pool "${pool.name}" (now: ${[...providers].join(', ')})`;
  }
  const same = pool.candidates.filter((c) => c.provider === node.provider);
  const types = new Set(same.map((c) => c.instanceType));
  if (!types.has(node.instanceType)) {
    return `instance type changed: ${node.instanceType} → ${[...types].join(' | ')}`;
  }
  const sameType = same.filter((c) => c.instanceType === node.instanceType);
  if (!sameType.some((c) => c.spot === node.spot)) {
    return `market changed: ${market(node.spot)} → ${market(!node.spot)}`;
  }
  const regions = new Set(sameType.map((c) => c.region));
  if (!regions.has(node.region)) {
    return `region ${node.region} is no longer allowed (now: ${[...regions].join(', ')})`;
  }
  return `zone ${node.zone ?? '?'} is no longer allowed in ${node.region}`;
}

/** An offering that recently failed for lack of capacity (the capacity memory apply keeps). */
export interface UnavailableOffering {
  provider: string;
  instanceType: string;
  region: string;
  /** When set, only this zone is unavailable. */
  zone?: string;
}

/**
 * Orders a pool's placements for a new node: recently exhausted offerings go last (they are kept,
 * so a plan still has somewhere to go when everything is short), otherwise the pool's own order.
 */
export function orderPlacements(candidates: PlacementCandidate[], unavailable: UnavailableOffering[]): PlacementCandidate[] {
  if (unavailable.length === 0) return candidates;
  const isUnavailable = (c: PlacementCandidate): boolean =>
    unavailable.some(
      (u) =>
        u.provider === c.provider &&
        u.instanceType === c.instanceType &&
        u.region === c.region &&
        (u.zone === undefined || (c.zones.length > 0 && c.zones.every((z) => z === u.zone))),
    );
  return [...candidates.filter((c) => !isUnavailable(c)), ...candidates.filter(isUnavailable)];
}

/**
 * Offerings a cloud reports without live capacity (`Provider.offers()`), in the form `orderPlacements`
 * takes, so a plan tries them last instead of spending a launch there first.
 */
export function unavailableFromOffers(offers: readonly Offer[]): UnavailableOffering[] {
  return offers
    .filter((o) => !o.available)
    .map((o) => ({ provider: o.provider, instanceType: o.instanceType, region: o.region }))
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.instanceType.localeCompare(b.instanceType) || a.region.localeCompare(b.region));
}
