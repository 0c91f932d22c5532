/**
 * GPU models the built-in catalog knows, and a builder the per-provider tables share so each table
 * only states what differs between instance types (shape, regions, prices).
 */
import type { ProviderType } from '../model/index.js';
import type { InstanceTypeInfo, RegionPrice } from './types.js';

/** One GPU model under its canonical id. */
export interface GpuModel {
  /** Family a user may write instead of the id (`a100` covers the 40 GB and 80 GB parts). */
  family: string;
  /** Marketing name without the form factor, e.g. `NVIDIA H100 80GB`. */
  name: string;
  /** Memory per GPU, GiB as marketed. */
  memoryGiB: number;
}

/** Canonical GPU ids (lowercase) of the real clouds' catalog. */
export const GPU_MODELS = {
  h100: { family: 'h100', name: 'NVIDIA H100 80GB', memoryGiB: 80 },
  h200: { family: 'h200', name: 'NVIDIA H200 141GB', memoryGiB: 141 },
  b200: { family: 'b200', name: 'NVIDIA B200 180GB', memoryGiB: 180 },
  a100: { family: 'a100', name: 'NVIDIA A100 40GB', memoryGiB: 40 },
  'a100-80gb': { family: 'a100', name: 'NVIDIA A100 80GB', memoryGiB: 80 },
  // A10G is AWS's variant of the A10 with different clocks; kept apart so `gpu: a10` means the same chip everywhere.
  a10g: { family: 'a10g', name: 'NVIDIA A10G 24GB', memoryGiB: 24 },
  a10: { family: 'a10', name: 'NVIDIA A10 24GB', memoryGiB: 24 },
  l4: { family: 'l4', name: 'NVIDIA L4 24GB', memoryGiB: 24 },
  l40s: { family: 'l40s', name: 'NVIDIA L40S 48GB', memoryGiB: 48 },
  gh200: { family: 'gh200', name: 'NVIDIA GH200 96GB', memoryGiB: 96 },
} as const satisfies Record<string, GpuModel>;

export type GpuId = keyof typeof GPU_MODELS;

/** Shape of one instance type, as the per-provider tables state it. */
export interface Shape {
  instanceType: string;
  gpu: GpuId;
  gpus: number;
  vcpus: number;
  memoryGiB: number;
  /** Appended to the GPU's name, e.g. `SXM5` or `PCIe`. */
  formFactor?: string;
}

/** Rounds a USD figure to 4 decimals so derived prices print and compare cleanly. */
export function usd(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

/** Builds a catalog entry from a shape and its per-region prices. */
export function instanceType(provider: ProviderType, shape: Shape, regions: RegionPrice[]): InstanceTypeInfo {
  const model: GpuModel = GPU_MODELS[shape.gpu];
  return {
    provider,
    instanceType: shape.instanceType,
    gpu: shape.gpu,
    gpuFamily: model.family,
    gpuName: shape.formFactor ? `${model.name} ${shape.formFactor}` : model.name,
    gpus: shape.gpus,
    gpuMemoryGiB: model.memoryGiB,
    vcpus: shape.vcpus,
    memoryGiB: shape.memoryGiB,
    regions,
  };
}
