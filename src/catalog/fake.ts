/**
 * The embedded fake cloud's instance types. Shapes and prices mirror Lambda Cloud's on-demand list so
 * plans on the quickstart show realistic figures; spot is priced at 40% of on-demand.
 */
import type { CatalogSource, InstanceTypeInfo } from './types.js';

const REGIONS: Array<{ region: string; zones: string[] }> = [
  { region: 'local-1', zones: ['local-1a', 'local-1b'] },
  { region: 'local-2', zones: ['local-2a'] },
];

function fakeType(
  instanceType: string,
  gpu: string,
  gpuFamily: string,
  gpuName: string,
  gpus: number,
  gpuMemoryGiB: number,
  vcpus: number,
  memoryGiB: number,
  onDemand: number,
): InstanceTypeInfo {
  return {
    provider: 'fake',
    instanceType,
    gpu,
    gpuFamily,
    gpuName,
    gpus,
    gpuMemoryGiB,
    vcpus,
    memoryGiB,
    regions: REGIONS.map(({ region, zones }) => ({
      region,
      zones,
      onDemand,
      spot: Math.round(onDemand * 0.4 * 100) / 100,
    })),
  };
}

export const FAKE_TYPES: InstanceTypeInfo[] = [
  fakeType('f1.1xa10', 'a10', 'a10', 'NVIDIA A10 24GB', 1, 24, 30, 200, 0.75),
  fakeType('f1.1xa100', 'a100', 'a100', 'NVIDIA A100 40GB SXM4', 1, 40, 30, 200, 1.29),
  fakeType('f1.8xa100-80gb', 'a100-80gb', 'a100', 'NVIDIA A100 80GB SXM4', 8, 80, 240, 1800, 14.32),
  fakeType('f1.1xh100', 'h100', 'h100', 'NVIDIA H100 80GB PCIe', 1, 80, 26, 200, 2.49),
  fakeType('f1.8xh100', 'h100', 'h100', 'NVIDIA H100 80GB SXM5', 8, 80, 208, 1800, 23.92),
  fakeType('f1.8xb200', 'b200', 'b200', 'NVIDIA B200 180GB SXM6', 8, 180, 208, 2900, 39.92),
];

export const FAKE_SOURCE: CatalogSource = {
  provider: 'fake',
  url: 'https://lambda.ai/service/gpu-cloud#pricing',
  retrieved: '2025-10-01',
  note: 'embedded fake cloud; shapes and on-demand prices mirror Lambda Cloud, spot at 40% of on-demand',
};
