/**
 * AWS EC2 GPU instance types: shapes, Linux on-demand list prices and typical spot prices.
 *
 * On-demand figures are us-east-1 list prices after AWS's June 2025 P4/P5 price cut; AWS lists the same
 * figures in us-east-2 and us-west-2 for these families. Spot prices move every few minutes, so except
 * where an observed price is recorded they are the on-demand price times a typical observed spot share
 * for the family: good enough to rank offers and estimate a plan's cost, not a quote.
 */
import type { CatalogSource, InstanceTypeInfo, RegionPrice } from './types.js';
import { instanceType, usd, type Shape } from './gpus.js';

/**
 * Zone names per region. AWS maps zone letters to physical zones differently in every account, so these
 * are the names a request may carry; which of them has capacity is for the provider to find out.
 */
const ZONES: Record<string, string[]> = {
  'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f'],
  'us-east-2': ['us-east-2a', 'us-east-2b', 'us-east-2c'],
  'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2d'],
  'eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
};

const US = ['us-east-1', 'us-east-2', 'us-west-2'];

/** Regional price factor against us-east-1 (eu-west-1 lists G5 about 11.6% higher). */
const REGION_FACTOR: Record<string, number> = { 'eu-west-1': 1.116 };

/** Typical spot price as a share of on-demand, per family (observed ranges, rounded). */
const SPOT_SHARE: Record<string, number> = {
  p5: 0.43,
  p4d: 0.4,
  p4de: 0.4,
  'p6-b200': 0.45,
  g5: 0.42,
  g6: 0.43,
  g6e: 0.45,
};

/** Observed spot prices that replace the share estimate (dstack offer output, 2026-08-06). */
const OBSERVED_SPOT: Record<string, Record<string, number>> = {
  'p5en.48xlarge': { 'us-east-1': 27.1988, 'us-east-2': 26.5714, 'us-west-2': 26.9369 },
};

function zonesOf(region: string): string[] {
  return ZONES[region] ?? [];
}

/** Region prices of one type from its us-east-1 on-demand price. */
function priced(type: string, onDemand: number | undefined, regions: string[]): RegionPrice[] {
  const family = type.split('.')[0] ?? type;
  return regions.map((region) => {
    const od = onDemand === undefined ? undefined : usd(onDemand * (REGION_FACTOR[region] ?? 1));
    const share = SPOT_SHARE[family];
    const observed = OBSERVED_SPOT[type]?.[region];
    const spot = observed ?? (od !== undefined && share !== undefined ? usd(od * share) : undefined);
    return { region, zones: zonesOf(region), onDemand: od, spot };
  });
}

function aws(shape: Shape, onDemand: number | undefined, regions: string[] = US): InstanceTypeInfo {
  return instanceType('aws', shape, priced(shape.instanceType, onDemand, regions));
}

/** One size of a G family: single-GPU sizes up to 16xlarge, multi-GPU at 12x/24x/48x. */
function gSize(family: string, gpu: Shape['gpu'], size: string, gpus: number, vcpus: number, memoryGiB: number): Shape {
  return { instanceType: `${family}.${size}`, gpu, gpus, vcpus, memoryGiB };
}

export const AWS_TYPES: InstanceTypeInfo[] = [
  // P family: 8-GPU training nodes with EFA.
  aws({ instanceType: 'p5.48xlarge', gpu: 'h100', gpus: 8, vcpus: 192, memoryGiB: 2048, formFactor: 'SXM5' }, 55.04),
  // p5e is sold through Capacity Blocks only: no on-demand or spot list price.
  aws({ instanceType: 'p5e.48xlarge', gpu: 'h200', gpus: 8, vcpus: 192, memoryGiB: 2048, formFactor: 'SXM5' }, undefined, [
    'us-east-2',
    'us-west-2',
  ]),
  aws({ instanceType: 'p5en.48xlarge', gpu: 'h200', gpus: 8, vcpus: 192, memoryGiB: 2048, formFactor: 'SXM5' }, 63.296),
  aws({ instanceType: 'p4d.24xlarge', gpu: 'a100', gpus: 8, vcpus: 96, memoryGiB: 1152, formFactor: 'SXM4' }, 21.957642),
  aws(
    { instanceType: 'p4de.24xlarge', gpu: 'a100-80gb', gpus: 8, vcpus: 96, memoryGiB: 1152, formFactor: 'SXM4' },
    27.44705,
    ['us-east-1', 'us-west-2'],
  ),
  aws({ instanceType: 'p6-b200.48xlarge', gpu: 'b200', gpus: 8, vcpus: 192, memoryGiB: 2048, formFactor: 'SXM6' }, 113.9328),

  // G6: NVIDIA L4.
  aws(gSize('g6', 'l4', 'xlarge', 1, 4, 16), 0.8048),
  aws(gSize('g6', 'l4', '2xlarge', 1, 8, 32), 0.9776),
  aws(gSize('g6', 'l4', '4xlarge', 1, 16, 64), 1.3232),
  aws(gSize('g6', 'l4', '8xlarge', 1, 32, 128), 2.0144),
  aws(gSize('g6', 'l4', '12xlarge', 4, 48, 192), 4.6016),
  aws(gSize('g6', 'l4', '16xlarge', 1, 64, 256), 3.3968),
  aws(gSize('g6', 'l4', '24xlarge', 4, 96, 384), 6.6752),
  aws(gSize('g6', 'l4', '48xlarge', 8, 192, 768), 13.3504),

  // G6e: NVIDIA L40S.
  aws(gSize('g6e', 'l40s', 'xlarge', 1, 4, 32), 1.861),
  aws(gSize('g6e', 'l40s', '2xlarge', 1, 8, 64), 2.24208),
  aws(gSize('g6e', 'l40s', '4xlarge', 1, 16, 128), 3.00424),
  aws(gSize('g6e', 'l40s', '8xlarge', 1, 32, 256), 4.52856),
  aws(gSize('g6e', 'l40s', '12xlarge', 4, 48, 384), 10.49264),
  aws(gSize('g6e', 'l40s', '16xlarge', 1, 64, 512), 7.57719),
  aws(gSize('g6e', 'l40s', '24xlarge', 4, 96, 768), 15.06559),
  aws(gSize('g6e', 'l40s', '48xlarge', 8, 192, 1536), 30.13118),

  // G5: NVIDIA A10G, also offered in eu-west-1.
  ...(
    [
      ['xlarge', 1, 4, 16, 1.006],
      ['2xlarge', 1, 8, 32, 1.212],
      ['4xlarge', 1, 16, 64, 1.624],
      ['8xlarge', 1, 32, 128, 2.448],
      ['12xlarge', 4, 48, 192, 5.672],
      ['16xlarge', 1, 64, 256, 4.096],
      ['24xlarge', 4, 96, 384, 8.144],
      ['48xlarge', 8, 192, 768, 16.288],
    ] as const
  ).map(([size, gpus, vcpus, mem, od]) => aws(gSize('g5', 'a10g', size, gpus, vcpus, mem), od, [...US, 'eu-west-1'])),
];

export const AWS_SOURCE: CatalogSource = {
  provider: 'aws',
  url: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  retrieved: '2026-11-09',
  note:
    'approximate Linux on-demand list prices, us-east-1 figures (cross-checked against public third-party ' +
    'price tables dated 2026-06 to 2026-11; the date is the newest of them) assumed equal in us-east-2 and ' +
    'us-west-2; eu-west-1 G5 at +11.6%; p5e is Capacity Blocks only. Spot figures are typical observed ' +
    'spot-to-on-demand shares per family, except p5en (spot prices observed 2026-08-06); check both before relying on them',
};
