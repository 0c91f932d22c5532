import { describe, expect, it } from 'vitest';
import type { ProviderType } from '../model/index.js';
import {
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
} from './index.js';

const PROVIDERS: ProviderType[] = ['fake', 'aws', 'gcp', 'lambda'];

describe('catalog entries', () => {
  const all = instanceTypes();

  it('covers every provider type', () => {
    expect(catalogProviders()).toEqual(PROVIDERS);
    for (const p of PROVIDERS) expect(instanceTypes(p).length).toBeGreaterThan(0);
  });

  it.each(all.map((t) => [`${t.provider}/${t.instanceType}`, t] as const))('%s is well-formed', (_key, t) => {
    expect(t.instanceType).toMatch(/\S/);
    expect(Number.isInteger(t.gpus) && t.gpus > 0).toBe(true);
    expect(t.gpuMemoryGiB).toBeGreaterThan(0);
    expect(t.vcpus).toBeGreaterThan(0);
    expect(t.memoryGiB).toBeGreaterThan(0);
    expect(t.gpu).toBe(t.gpu.toLowerCase());
    expect(t.gpuFamily).toBe(t.gpuFamily.toLowerCase());
    expect(t.gpu.startsWith(t.gpuFamily)).toBe(true);
    expect(t.gpuName).toMatch(/^NVIDIA /);
    expect(t.regions.length).toBeGreaterThan(0);
    expect(new Set(t.regions.map((r) => r.region)).size).toBe(t.regions.length);
    for (const r of t.regions) {
      for (const price of [r.onDemand, r.spot]) {
        if (price !== undefined) expect(Number.isFinite(price) && price > 0).toBe(true);
      }
      if (r.onDemand !== undefined && r.spot !== undefined) expect(r.spot).toBeLessThan(r.onDemand);
      if (t.provider === 'aws' || t.provider === 'gcp') {
        expect(r.zones.length).toBeGreaterThan(0);
        for (const z of r.zones) expect(z.startsWith(r.region)).toBe(true);
      }
    }
  });

  it('has AWS zones named region + letter and GCP zones named region-letter', () => {
    for (const t of instanceTypes('aws')) for (const r of t.regions) for (const z of r.zones) expect(z).toMatch(new RegExp(`^${r.region}[a-z]$`));
    for (const t of instanceTypes('gcp')) for (const r of t.regions) for (const z of r.zones) expect(z).toMatch(new RegExp(`^${r.region}-[a-z]$`));
  });

  it('has no duplicate instance type within a provider', () => {
    for (const p of PROVIDERS) {
      const names = instanceTypes(p).map((t) => t.instanceType);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('prices most types of every provider', () => {
    for (const p of PROVIDERS) {
      const types = instanceTypes(p);
      const priced = types.filter((t) => t.regions.some((r) => r.onDemand !== undefined || r.spot !== undefined));
      expect(priced.length / types.length).toBeGreaterThan(0.9);
    }
  });

  it('gives every provider a source with a URL, an ISO date and a note', () => {
    expect(catalogSources().map((s) => s.provider)).toEqual(PROVIDERS);
    for (const s of catalogSources()) {
      expect(s.url).toMatch(/^https:\/\//);
      expect(s.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(s.retrieved))).toBe(false);
      expect(s.note.length).toBeGreaterThan(10);
    }
    expect(catalogSource('gcp')?.provider).toBe('gcp');
  });

  it('covers the shapes pools are most often written against', () => {
    const expected: Record<Exclude<ProviderType, 'fake'>, string[]> = {
      aws: ['p5.48xlarge', 'p5e.48xlarge', 'p5en.48xlarge', 'p4d.24xlarge', 'p4de.24xlarge', 'p6-b200.48xlarge'],
      gcp: ['a3-highgpu-8g', 'a3-megagpu-8g', 'a3-ultragpu-8g', 'a4-highgpu-8g', 'a2-highgpu-1g', 'a2-ultragpu-8g', 'g2-standard-96'],
      lambda: ['gpu_1x_a10', 'gpu_8x_h100_sxm5', 'gpu_1x_gh200', 'gpu_8x_b200_sxm6', 'gpu_8x_a100_80gb_sxm4'],
    };
    for (const [p, types] of Object.entries(expected)) {
      for (const t of types) expect(lookupInstanceType(p as ProviderType, t), `${p}/${t}`).toBeDefined();
    }
    for (const family of ['g5', 'g6', 'g6e']) {
      for (const size of ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '48xlarge']) {
        expect(lookupInstanceType('aws', `${family}.${size}`), `${family}.${size}`).toBeDefined();
      }
    }
  });
});

describe('GPU ids', () => {
  it('lists every canonical id and family', () => {
    expect(knownGpus()).toEqual(['a10', 'a100', 'a100-80gb', 'a10g', 'b200', 'gh200', 'h100', 'h200', 'l4', 'l40s']);
  });

  it('matches a family to both A100 sizes and an id only to itself', () => {
    const p4d = lookupInstanceType('aws', 'p4d.24xlarge')!;
    const p4de = lookupInstanceType('aws', 'p4de.24xlarge')!;
    expect(matchesGpu(p4d, 'a100')).toBe(true);
    expect(matchesGpu(p4de, 'a100')).toBe(true);
    expect(matchesGpu(p4de, 'A100-80GB')).toBe(true);
    expect(matchesGpu(p4d, 'a100-80gb')).toBe(false);
  });

  it('describes the GPUs as their makers do', () => {
    expect(lookupInstanceType('aws', 'p5.48xlarge')).toMatchObject({ gpu: 'h100', gpus: 8, gpuMemoryGiB: 80, vcpus: 192 });
    expect(lookupInstanceType('aws', 'p5en.48xlarge')).toMatchObject({ gpu: 'h200', gpuMemoryGiB: 141 });
    expect(lookupInstanceType('aws', 'g5.xlarge')).toMatchObject({ gpu: 'a10g', gpuFamily: 'a10g', gpus: 1 });
    expect(lookupInstanceType('gcp', 'a2-ultragpu-1g')).toMatchObject({ gpu: 'a100-80gb', gpuFamily: 'a100' });
    expect(lookupInstanceType('lambda', 'gpu_1x_gh200')).toMatchObject({ gpu: 'gh200', gpuMemoryGiB: 96 });
  });
});

describe('resolveGpu', () => {
  it('finds the 8xH100 node on AWS', () => {
    expect(resolveGpu('aws', 'h100', 8).map((t) => t.instanceType)).toEqual(['p5.48xlarge']);
  });

  it('orders GCP A100 nodes by price, 40GB before 80GB', () => {
    const names = resolveGpu('gcp', 'a100', 8).map((t) => t.instanceType);
    expect(names).toEqual(['a2-highgpu-8g', 'a2-ultragpu-8g']);
    const [a, b] = resolveGpu('gcp', 'a100', 8);
    expect(cheapestOnDemand(a!)!).toBeLessThan(cheapestOnDemand(b!)!);
  });

  it('narrows to one size when the id is given', () => {
    expect(resolveGpu('gcp', 'a100-80gb', 8).map((t) => t.instanceType)).toEqual(['a2-ultragpu-8g']);
  });

  it('puts types without an on-demand price last', () => {
    expect(resolveGpu('aws', 'h200', 8).map((t) => t.instanceType)).toEqual(['p5en.48xlarge', 'p5e.48xlarge']);
  });

  it('returns nothing for a count no type has', () => {
    expect(resolveGpu('aws', 'h100', 3)).toEqual([]);
    expect(resolveGpu('lambda', 'l4', 1)).toEqual([]);
  });
});

describe('prices', () => {
  it('separates spot from on-demand', () => {
    expect(priceOf('aws', 'p5.48xlarge', 'us-east-1', false)).toBe(55.04);
    const spot = priceOf('aws', 'p5.48xlarge', 'us-east-1', true)!;
    expect(spot).toBeGreaterThan(0);
    expect(spot).toBeLessThan(55.04);
    expect(priceOf('aws', 'p5en.48xlarge', 'us-east-2', true)).toBe(26.5714);
    expect(priceOf('gcp', 'a2-highgpu-8g', 'us-central1', false)).toBe(29.3871);
    expect(priceOf('gcp', 'a2-highgpu-8g', 'us-central1', true)).toBe(10.3468);
  });

  it('is undefined for an unknown type, region or market', () => {
    expect(priceOf('aws', 'p9.huge', 'us-east-1', false)).toBeUndefined();
    expect(priceOf('aws', 'p5.48xlarge', 'mars-1', false)).toBeUndefined();
    expect(priceOf('aws', 'p5e.48xlarge', 'us-east-2', false)).toBeUndefined();
    expect(priceOf('gcp', 'a3-highgpu-1g', 'us-central1', false)).toBeUndefined();
    expect(priceOf('gcp', 'a3-highgpu-1g', 'us-central1', true)).toBeGreaterThan(0);
  });

  it('has no spot prices on Lambda', () => {
    for (const t of instanceTypes('lambda')) {
      for (const r of t.regions) {
        expect(r.spot).toBeUndefined();
        expect(r.onDemand).toBeGreaterThan(0);
        expect(r.zones).toEqual([]);
      }
    }
    expect(priceOf('lambda', 'gpu_8x_h100_sxm5', 'us-east-1', false)).toBe(31.92);
    expect(priceOf('lambda', 'gpu_8x_h100_sxm5', 'us-east-1', true)).toBeUndefined();
  });

  it('finds the cheapest region per market, or within one region', () => {
    const p5en = lookupInstanceType('aws', 'p5en.48xlarge')!;
    expect(cheapestPrice(p5en, true)).toEqual({ region: 'us-east-2', price: 26.5714 });
    expect(cheapestPrice(p5en, false)).toEqual({ region: 'us-east-1', price: 63.296 });
    expect(cheapestPrice(p5en, true, 'us-west-2')).toEqual({ region: 'us-west-2', price: 26.9369 });
    expect(cheapestPrice(p5en, true, 'eu-west-1')).toBeUndefined();
    expect(cheapestPrice(lookupInstanceType('lambda', 'gpu_1x_a10')!, true)).toBeUndefined();
  });

  it('prices a GCP machine above its spot price in every region', () => {
    const a3 = lookupInstanceType('gcp', 'a3-highgpu-8g')!;
    for (const r of a3.regions) expect(r.spot!).toBeLessThan(r.onDemand!);
  });
});

describe('regions and zones', () => {
  it('lists regions in catalog order and zones per region', () => {
    expect(regionsOf('aws', 'p5.48xlarge')).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    expect(zonesOf('aws', 'p5.48xlarge', 'us-east-2')).toEqual(['us-east-2a', 'us-east-2b', 'us-east-2c']);
    expect(zonesOf('gcp', 'a2-highgpu-8g', 'us-central1')).toEqual(['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f']);
    expect(regionsOf('lambda', 'gpu_1x_a10')).toContain('us-east-1');
    expect(zonesOf('lambda', 'gpu_1x_a10', 'us-east-1')).toEqual([]);
    expect(regionsOf('aws', 'nope')).toEqual([]);
  });
});
