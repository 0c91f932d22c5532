/**
 * What the loopback Lambda cloud sells: a handful of real instance types and regions, with the
 * shapes and descriptions the public API reports for them.
 */

export interface ServerInstanceType {
  name: string;
  description: string;
  gpu_description: string;
  price_cents_per_hour: number;
  specs: { vcpus: number; memory_gib: number; storage_gib: number; gpus: number };
}

export const SERVER_TYPES: ServerInstanceType[] = [
  {
    name: 'gpu_1x_a10',
    description: '1x A10 (24 GB PCIe)',
    gpu_description: 'A10 (24 GB PCIe)',
    price_cents_per_hour: 75,
    specs: { vcpus: 30, memory_gib: 200, storage_gib: 1400, gpus: 1 },
  },
  {
    name: 'gpu_1x_h100_pcie',
    description: '1x H100 (80 GB PCIe)',
    gpu_description: 'H100 (80 GB PCIe)',
    price_cents_per_hour: 249,
    specs: { vcpus: 26, memory_gib: 200, storage_gib: 1024, gpus: 1 },
  },
  {
    name: 'gpu_8x_h100_sxm5',
    description: '8x H100 (80 GB SXM5)',
    gpu_description: 'H100 (80 GB SXM5)',
    price_cents_per_hour: 2392,
    specs: { vcpus: 208, memory_gib: 1800, storage_gib: 24780, gpus: 8 },
  },
  {
    name: 'gpu_1x_gh200',
    description: '1x GH200 (96 GB)',
    gpu_description: 'GH200 (96 GB)',
    price_cents_per_hour: 149,
    specs: { vcpus: 64, memory_gib: 432, storage_gib: 4096, gpus: 1 },
  },
  {
    // Sold by the cloud, unknown to navarch's catalog (a type newer than the catalog).
    name: 'gpu_8x_x900_sxm9',
    description: '8x X900 (288 GB SXM9)',
    gpu_description: 'X900 (288 GB SXM9)',
    price_cents_per_hour: 9900,
    specs: { vcpus: 256, memory_gib: 3000, storage_gib: 30000, gpus: 8 },
  },
];

/** Region codes and the locations the API pairs them with. `us-east-3` is not in navarch's catalog. */
export const SERVER_REGIONS: Record<string, string> = {
  'us-east-1': 'Virginia, USA',
  'us-east-3': 'Washington DC, USA',
  'us-west-1': 'California, USA',
  'us-south-1': 'Texas, USA',
  'europe-central-1': 'Germany',
};
