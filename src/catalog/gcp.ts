/**
 * Google Cloud accelerator-optimized (A2, A3, A4) and G2 machine types: shapes, on-demand and spot prices.
 *
 * A GCP machine type's price is the sum of its GPU, vCPU and memory SKUs; the figures below are those sums
 * per region as published in the Cloud Billing Catalog. Spot prices on GCP change at most once every 30
 * days, so they are list prices like on-demand, only more often out of date.
 */
import type { CatalogSource, InstanceTypeInfo, RegionPrice } from './types.js';
import { instanceType, usd, type Shape } from './gpus.js';

/** `[onDemand, spot]` USD per node-hour; undefined where the market does not exist. */
type Prices = readonly [number | undefined, number | undefined];

/** Zones of one region where the family is offered. */
function zones(region: string, letters: string): string[] {
  return [...letters].map((l) => `${region}-${l}`);
}

function gcp(shape: Shape, prices: Record<string, Prices>, zoneLetters: Record<string, string>): InstanceTypeInfo {
  const regions: RegionPrice[] = Object.entries(prices).map(([region, [onDemand, spot]]) => ({
    region,
    zones: zones(region, zoneLetters[region] ?? ''),
    onDemand: onDemand === undefined ? undefined : usd(onDemand),
    spot: spot === undefined ? undefined : usd(spot),
  }));
  return instanceType('gcp', shape, regions);
}

/** A machine type whose price is `n` times the 1-GPU price (A2 and A3 High scale linearly). */
function times(n: number, base: Record<string, Prices>): Record<string, Prices> {
  const out: Record<string, Prices> = {};
  for (const [region, [od, spot]] of Object.entries(base)) {
    out[region] = [od === undefined ? undefined : od * n, spot === undefined ? undefined : spot * n];
  }
  return out;
}

// A2 High: A100 40GB, 12 vCPU and 85 GB per GPU.
const A2_HIGH_1G: Record<string, Prices> = {
  'us-central1': [3.673385, 1.293355],
  'us-east1': [3.673385, 1.293355],
  'europe-west4': [3.747972, 1.44587],
};
const A2_HIGH_ZONES = { 'us-central1': 'abcf', 'us-east1': 'b', 'europe-west4': 'ab' };

// A2 Ultra: A100 80GB, 12 vCPU and 170 GB per GPU.
const A2_ULTRA_1G: Record<string, Prices> = {
  'us-central1': [5.06879789, 2.02746836],
  'us-east4': [5.70773248, 2.29658384],
  'europe-west4': [5.58091848, 1.81105532],
};
const A2_ULTRA_ZONES = { 'us-central1': 'ac', 'us-east4': 'c', 'europe-west4': 'a' };

// A3 High with 1, 2 or 4 GPUs is sold only as Spot or Flex-start, so it has no on-demand price here.
const A3_HIGH_1G_SPOT: Record<string, Prices> = {
  'us-central1': [undefined, 4.42446871],
  'us-east4': [undefined, 4.45487967],
  'europe-west4': [undefined, 3.96990063],
};
const A3_HIGH_ZONES = { 'us-central1': 'ac', 'us-east4': 'abc', 'europe-west4': 'bc' };

// G2: L4; the price is GPU + vCPU + memory, so it does not scale with the GPU count alone.
const G2_ZONES = { 'us-central1': 'abc', 'us-east1': 'bcd', 'europe-west4': 'abc' };
/** europe-west4 lists G2 about 10% above us-central1; spot runs near 30% of on-demand. */
function g2(size: number, gpus: number, memoryGiB: number, usCentral: number): InstanceTypeInfo {
  const eu = usCentral * 1.1;
  return gcp(
    { instanceType: `g2-standard-${size}`, gpu: 'l4', gpus, vcpus: size, memoryGiB },
    {
      'us-central1': [usCentral, usCentral * 0.3],
      'us-east1': [usCentral, usCentral * 0.3],
      'europe-west4': [eu, eu * 0.3],
    },
    G2_ZONES,
  );
}

export const GCP_TYPES: InstanceTypeInfo[] = [
  // A3: H100 80GB (High, Mega), H200 141GB (Ultra).
  gcp({ instanceType: 'a3-highgpu-1g', gpu: 'h100', gpus: 1, vcpus: 26, memoryGiB: 234, formFactor: 'SXM5' }, A3_HIGH_1G_SPOT, A3_HIGH_ZONES),
  gcp(
    { instanceType: 'a3-highgpu-2g', gpu: 'h100', gpus: 2, vcpus: 52, memoryGiB: 468, formFactor: 'SXM5' },
    times(2, A3_HIGH_1G_SPOT),
    A3_HIGH_ZONES,
  ),
  gcp(
    { instanceType: 'a3-highgpu-4g', gpu: 'h100', gpus: 4, vcpus: 104, memoryGiB: 936, formFactor: 'SXM5' },
    times(4, A3_HIGH_1G_SPOT),
    A3_HIGH_ZONES,
  ),
  gcp(
    { instanceType: 'a3-highgpu-8g', gpu: 'h100', gpus: 8, vcpus: 208, memoryGiB: 1872, formFactor: 'SXM5' },
    {
      'us-central1': [88.4899999, 35.3957497],
      'us-east4': [88.5557562, 35.6390374],
      'europe-west4': [112.5404792, 31.759205],
    },
    A3_HIGH_ZONES,
  ),
  gcp(
    { instanceType: 'a3-megagpu-8g', gpu: 'h100', gpus: 8, vcpus: 208, memoryGiB: 1872, formFactor: 'SXM5' },
    {
      'us-east4': [92.9375882, 37.3918374],
      'us-east5': [94.066641, 37.6265337],
      'europe-west4': [118.2368312, 46.264005],
    },
    { 'us-east4': 'ab', 'us-east5': 'a', 'europe-west4': 'bc' },
  ),
  gcp(
    { instanceType: 'a3-ultragpu-8g', gpu: 'h200', gpus: 8, vcpus: 224, memoryGiB: 2952, formFactor: 'SXM5' },
    {
      'us-central1': [8 * 10.4365, 8 * 6.2607],
      'us-east4': [8 * 10.4365, 8 * 5.6357],
      'europe-west1': [8 * 11.4934, 8 * 6.8944],
    },
    { 'us-central1': 'b', 'us-east4': 'b', 'europe-west1': 'b' },
  ),
  // A4 is sold through reservations, Flex-start and Spot; no list price was confirmed for it.
  gcp(
    { instanceType: 'a4-highgpu-8g', gpu: 'b200', gpus: 8, vcpus: 224, memoryGiB: 3968, formFactor: 'SXM6' },
    { 'us-central1': [undefined, undefined], 'europe-west4': [undefined, undefined] },
    { 'us-central1': 'b', 'europe-west4': 'b' },
  ),

  // A2 High: A100 40GB; the 16-GPU shape is a2-megagpu-16g (there is no a2-highgpu-16g).
  gcp({ instanceType: 'a2-highgpu-1g', gpu: 'a100', gpus: 1, vcpus: 12, memoryGiB: 85, formFactor: 'SXM4' }, A2_HIGH_1G, A2_HIGH_ZONES),
  gcp({ instanceType: 'a2-highgpu-2g', gpu: 'a100', gpus: 2, vcpus: 24, memoryGiB: 170, formFactor: 'SXM4' }, times(2, A2_HIGH_1G), A2_HIGH_ZONES),
  gcp({ instanceType: 'a2-highgpu-4g', gpu: 'a100', gpus: 4, vcpus: 48, memoryGiB: 340, formFactor: 'SXM4' }, times(4, A2_HIGH_1G), A2_HIGH_ZONES),
  gcp({ instanceType: 'a2-highgpu-8g', gpu: 'a100', gpus: 8, vcpus: 96, memoryGiB: 680, formFactor: 'SXM4' }, times(8, A2_HIGH_1G), A2_HIGH_ZONES),
  gcp(
    { instanceType: 'a2-megagpu-16g', gpu: 'a100', gpus: 16, vcpus: 96, memoryGiB: 1360, formFactor: 'SXM4' },
    {
      'us-central1': [55.739504, 19.48024],
      'us-east1': [55.739504, 19.48024],
      'europe-west4': [56.62656, 21.99824],
    },
    A2_HIGH_ZONES,
  ),

  // A2 Ultra: A100 80GB.
  gcp({ instanceType: 'a2-ultragpu-1g', gpu: 'a100-80gb', gpus: 1, vcpus: 12, memoryGiB: 170, formFactor: 'SXM4' }, A2_ULTRA_1G, A2_ULTRA_ZONES),
  gcp(
    { instanceType: 'a2-ultragpu-2g', gpu: 'a100-80gb', gpus: 2, vcpus: 24, memoryGiB: 340, formFactor: 'SXM4' },
    times(2, A2_ULTRA_1G),
    A2_ULTRA_ZONES,
  ),
  gcp(
    { instanceType: 'a2-ultragpu-4g', gpu: 'a100-80gb', gpus: 4, vcpus: 48, memoryGiB: 680, formFactor: 'SXM4' },
    times(4, A2_ULTRA_1G),
    A2_ULTRA_ZONES,
  ),
  gcp(
    { instanceType: 'a2-ultragpu-8g', gpu: 'a100-80gb', gpus: 8, vcpus: 96, memoryGiB: 1360, formFactor: 'SXM4' },
    times(8, A2_ULTRA_1G),
    A2_ULTRA_ZONES,
  ),

  // G2: L4 24GB.
  g2(4, 1, 16, 0.70683228),
  g2(8, 1, 32, 0.85362),
  g2(12, 1, 48, 1.00041),
  g2(16, 1, 64, 1.1472),
  g2(24, 2, 96, 2.00082),
  g2(32, 1, 128, 1.73436),
  g2(48, 4, 192, 4.00164),
  g2(96, 8, 384, 8.00328),
];

export const GCP_SOURCE: CatalogSource = {
  provider: 'gcp',
  url: 'https://cloud.google.com/compute/gpus-pricing',
  retrieved: '2025-03-06',
  note:
    'approximate list prices: A2 and A3 High/Mega on-demand and spot sums from a Cloud Billing Catalog ' +
    'snapshot of 2025-03-06, A3 Ultra from a snapshot of 2026-10-13; G2 us-central1 on-demand from the ' +
    'published per-SKU rates, with europe-west4 at +10% and spot at ~30% of on-demand as estimates. A3 High ' +
    'with 1-4 GPUs and A4 are not sold on demand; A4 spot price not confirmed. Spot prices change monthly; check before relying on them',
};
