import { describe, expect, it } from 'vitest';
import { instanceTypes, queryCatalog } from './index.js';

const names = (rows: ReturnType<typeof queryCatalog>): string[] => rows.map((r) => `${r.info.provider}/${r.info.instanceType}`);

describe('queryCatalog', () => {
  it('lists everything, cheapest GPU-hour first, unpriced last', () => {
    const rows = queryCatalog();
    expect(rows.length).toBe(instanceTypes().length);
    const priced = rows.filter((r) => r.pricePerGpu !== undefined).map((r) => r.pricePerGpu!);
    expect(priced).toEqual([...priced].sort((a, b) => a - b));
    expect(rows.slice(priced.length).every((r) => r.pricePerGpu === undefined)).toBe(true);
  });

  it('breaks price ties by provider, then type name with numbers compared as numbers', () => {
    const rows = queryCatalog({ providers: ['gcp'], gpu: 'l4' }).filter((r) => r.pricePerGpu === 1.0004);
    expect(names(rows)).toEqual(['gcp/g2-standard-12', 'gcp/g2-standard-24', 'gcp/g2-standard-48', 'gcp/g2-standard-96']);
    const same = queryCatalog({ providers: ['lambda'], gpu: 'a100', gpus: 1 });
    expect(names(same)).toEqual(['lambda/gpu_1x_a100', 'lambda/gpu_1x_a100_sxm4']);
  });

  it('prices within the queried region only', () => {
    const [row] = queryCatalog({ providers: ['aws'], gpu: 'h200', gpus: 8, region: 'us-west-2', spot: true });
    expect(row?.info.instanceType).toBe('p5en.48xlarge');
    expect(row?.price).toEqual({ region: 'us-west-2', price: 26.9369 });
    expect(row?.regions.map((r) => r.region)).toEqual(['us-west-2']);
  });

  it('keeps only types with a spot price when pricing by spot', () => {
    const rows = queryCatalog({ spot: true });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.price !== undefined && r.price.price === r.spot?.price)).toBe(true);
    expect(rows.some((r) => r.info.provider === 'lambda')).toBe(false);
  });

  it('divides the node price by its GPUs', () => {
    const [row] = queryCatalog({ providers: ['aws'], gpu: 'h100', gpus: 8 });
    expect(row?.price?.price).toBe(55.04);
    expect(row?.pricePerGpu).toBe(6.88);
  });
});

describe('queryCatalog over live offers', () => {
  const offer = (instanceType: string, region: string, pricePerHour: number | undefined = undefined) => ({
    provider: 'lambda' as const,
    instanceType,
    region,
    pricePerHour,
  });

  it('keeps only offered types, each over its offered regions, priced as offered', () => {
    const rows = queryCatalog({
      offers: [offer('gpu_1x_h100_pcie', 'us-west-1', 3.29), offer('gpu_1x_h100_pcie', 'us-east-3', 3.29), offer('gpu_8x_h100_sxm5', 'us-south-1')],
    });
    expect(names(rows)).toEqual(['lambda/gpu_1x_h100_pcie', 'lambda/gpu_8x_h100_sxm5']);
    const pcie = rows.find((r) => r.info.instanceType === 'gpu_1x_h100_pcie');
    // Catalog regions first, then regions the catalog does not list yet.
    expect(pcie?.regions.map((r) => [r.region, r.onDemand])).toEqual([
      ['us-west-1', 3.29],
      ['us-east-3', 3.29],
    ]);
    expect(pcie?.price).toEqual({ region: 'us-west-1', price: 3.29 });
    // An offer without a price is priced by the catalog.
    const sxm = rows.find((r) => r.info.instanceType === 'gpu_8x_h100_sxm5');
    expect(sxm?.price).toEqual({ region: 'us-south-1', price: 31.92 });
  });

  it('combines offers with the other filters, and lists nothing when nothing is offered', () => {
    const offers = [offer('gpu_1x_h100_pcie', 'us-west-1'), offer('gpu_1x_a10', 'us-east-1')];
    expect(names(queryCatalog({ offers, gpu: 'h100' }))).toEqual(['lambda/gpu_1x_h100_pcie']);
    expect(queryCatalog({ offers, region: 'europe-central-1' })).toEqual([]);
    expect(queryCatalog({ offers: [] })).toEqual([]);
    expect(queryCatalog({ offers, spot: true })).toEqual([]);
  });
});
