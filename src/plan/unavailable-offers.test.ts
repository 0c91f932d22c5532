import { describe, expect, it } from 'vitest';
import type { Offer, PlacementCandidate } from '../model/index.js';
import { orderPlacements, unavailableFromOffers } from './placement.js';

const offer = (region: string, available: boolean): Offer => ({ provider: 'lam', instanceType: 'gpu_1x_h100_pcie', region, available, pricePerHour: 3.29 });
const candidate = (region: string): PlacementCandidate => ({
  provider: 'lam',
  providerType: 'lambda',
  region,
  zones: [],
  instanceType: 'gpu_1x_h100_pcie',
  priority: 0,
  spot: false,
  pricePerHour: 3.29,
});

describe('placements and live availability', () => {
  it('turns offers without capacity into unavailable offerings, in a stable order', () => {
    const offers = [offer('us-west-1', false), offer('us-east-1', true), offer('europe-central-1', false)];
    expect(unavailableFromOffers(offers)).toEqual([
      { provider: 'lam', instanceType: 'gpu_1x_h100_pcie', region: 'europe-central-1' },
      { provider: 'lam', instanceType: 'gpu_1x_h100_pcie', region: 'us-west-1' },
    ]);
    expect(unavailableFromOffers(offers)).toEqual(unavailableFromOffers([...offers].reverse()));
  });

  it('moves placements without capacity last and keeps them, so a plan still has somewhere to go', () => {
    const placements = [candidate('us-east-1'), candidate('us-west-1'), candidate('us-south-1')];
    const ordered = orderPlacements(placements, unavailableFromOffers([offer('us-east-1', false), offer('us-west-1', true)]));
    expect(ordered.map((p) => p.region)).toEqual(['us-west-1', 'us-south-1', 'us-east-1']);
  });
});
