/**
 * Lambda Cloud instance types under the names its API uses (`GET /instance-types`).
 *
 * Lambda charges the same price in every region and sells no spot capacity, so every region carries the
 * same on-demand price and `spot: undefined`. Which regions have capacity at a given moment is only known
 * from the API (`regions_with_capacity_available`); the regions here are where the types are offered.
 */
import type { CatalogSource, InstanceTypeInfo } from './types.js';
import { instanceType, usd, type Shape } from './gpus.js';

/** Lambda regions have no zones a caller can choose. */
const REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'us-west-3', 'us-south-1', 'us-midwest-1', 'europe-central-1'];

function lambda(shape: Shape, onDemand: number): InstanceTypeInfo {
  return instanceType(
    'lambda',
    shape,
    REGIONS.map((region) => ({ region, zones: [], onDemand: usd(onDemand), spot: undefined })),
  );
}

export const LAMBDA_TYPES: InstanceTypeInfo[] = [
  lambda({ instanceType: 'gpu_1x_a10', gpu: 'a10', gpus: 1, vcpus: 30, memoryGiB: 226, formFactor: 'PCIe' }, 1.29),
  lambda({ instanceType: 'gpu_1x_a100', gpu: 'a100', gpus: 1, vcpus: 30, memoryGiB: 200, formFactor: 'PCIe' }, 1.99),
  lambda({ instanceType: 'gpu_1x_a100_sxm4', gpu: 'a100', gpus: 1, vcpus: 30, memoryGiB: 200, formFactor: 'SXM4' }, 1.99),
  lambda({ instanceType: 'gpu_8x_a100', gpu: 'a100', gpus: 8, vcpus: 124, memoryGiB: 1800, formFactor: 'SXM4' }, 8 * 1.99),
  lambda(
    { instanceType: 'gpu_8x_a100_80gb_sxm4', gpu: 'a100-80gb', gpus: 8, vcpus: 240, memoryGiB: 1800, formFactor: 'SXM4' },
    8 * 2.79,
  ),
  lambda({ instanceType: 'gpu_1x_h100_pcie', gpu: 'h100', gpus: 1, vcpus: 26, memoryGiB: 225, formFactor: 'PCIe' }, 3.29),
  lambda({ instanceType: 'gpu_1x_h100_sxm5', gpu: 'h100', gpus: 1, vcpus: 26, memoryGiB: 225, formFactor: 'SXM5' }, 4.29),
  lambda({ instanceType: 'gpu_2x_h100_sxm5', gpu: 'h100', gpus: 2, vcpus: 52, memoryGiB: 450, formFactor: 'SXM5' }, 2 * 4.19),
  lambda({ instanceType: 'gpu_4x_h100_sxm5', gpu: 'h100', gpus: 4, vcpus: 104, memoryGiB: 900, formFactor: 'SXM5' }, 4 * 4.09),
  lambda({ instanceType: 'gpu_8x_h100_sxm5', gpu: 'h100', gpus: 8, vcpus: 208, memoryGiB: 1800, formFactor: 'SXM5' }, 8 * 3.99),
  lambda({ instanceType: 'gpu_1x_gh200', gpu: 'gh200', gpus: 1, vcpus: 64, memoryGiB: 432 }, 2.29),
  lambda({ instanceType: 'gpu_8x_b200_sxm6', gpu: 'b200', gpus: 8, vcpus: 208, memoryGiB: 2900, formFactor: 'SXM6' }, 8 * 6.69),
];

export const LAMBDA_SOURCE: CatalogSource = {
  provider: 'lambda',
  url: 'https://lambda.ai/instances',
  retrieved: '2026-09-20',
  note:
    'on-demand prices per GPU-hour as transcribed from the public pricing page on 2026-09-20, times GPUs per ' +
    'node (1x A100 40GB assumed at the 8x per-GPU rate); same price in every region; Lambda sells no spot capacity',
};
