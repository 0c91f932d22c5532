/** Shapes of the built-in GPU instance catalog. */
import type { ProviderType } from '../model/index.js';

/** Prices of one instance type in one region, USD per node-hour. */
export interface RegionPrice {
  region: string;
  /** Zones of the region where the type is offered, when known. */
  zones: string[];
  onDemand: number | undefined;
  spot: number | undefined;
}

/** One GPU instance type of one provider. */
export interface InstanceTypeInfo {
  provider: ProviderType;
  instanceType: string;
  /** Canonical GPU id, e.g. `h100`, `a100-80gb`, `l4`. */
  gpu: string;
  /** GPU family a user may also write (`a100` matches `a100` and `a100-80gb`). */
  gpuFamily: string;
  /** Marketing name, e.g. `NVIDIA H100 80GB SXM5`. */
  gpuName: string;
  /** GPUs per node. */
  gpus: number;
  /** Memory per GPU, GiB. */
  gpuMemoryGiB: number;
  vcpus: number;
  memoryGiB: number;
  regions: RegionPrice[];
}

/** Where a provider's catalog entries come from, and when they were taken. */
export interface CatalogSource {
  provider: ProviderType;
  /** Public page the figures were read from. */
  url: string;
  /** ISO date the figures were read. */
  retrieved: string;
  note: string;
}
