import { describe, expect, it } from 'vitest';
import { queryCatalog, summarizeByGpu } from './index.js';

describe('summarizeByGpu', () => {
  it('gives one entry per GPU model with the GPUs per node, the cheapest GPU-hour in each market and the clouds', () => {
    const models = summarizeByGpu(queryCatalog({ gpu: 'h100', providers: ['aws', 'gcp', 'lambda'] }));
    expect(models).toEqual([
      {
        gpu: 'h100',
        gpuFamily: 'h100',
        gpuMemoryGiB: 80,
        counts: [1, 2, 4, 8],
        onDemand: { price: 3.29, provider: 'lambda', instanceType: 'gpu_1x_h100_pcie', region: 'us-east-1' },
        spot: expect.objectContaining({ provider: 'aws', instanceType: 'p5.48xlarge' }),
        providers: ['aws', 'gcp', 'lambda'],
        instanceTypes: 11,
      },
    ]);
  });

  it('follows the query: a region, live offers, and a model sold only as spot there sorts last', () => {
    const eu = summarizeByGpu(queryCatalog({ providers: ['gcp'], region: 'europe-west4', gpu: 'h100', gpus: 1 }));
    expect(eu).toEqual([expect.objectContaining({ gpu: 'h100', counts: [1], onDemand: undefined, spot: expect.objectContaining({ region: 'europe-west4' }) })]);
    const offered = summarizeByGpu(queryCatalog({ providers: ['lambda'], offers: [{ provider: 'lambda', instanceType: 'gpu_8x_h100_sxm5', region: 'us-south-1', pricePerHour: 24 }] }));
    expect(offered).toEqual([expect.objectContaining({ gpu: 'h100', counts: [8], onDemand: { price: 3, provider: 'lambda', instanceType: 'gpu_8x_h100_sxm5', region: 'us-south-1' }, instanceTypes: 1 })]);
    const all = summarizeByGpu(queryCatalog());
    const priced = all.filter((m) => m.onDemand !== undefined);
    expect(all.slice(0, priced.length)).toEqual(priced);
  });
});
