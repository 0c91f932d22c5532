/**
 * A listing by GPU model, as `sky show-gpus` gives one: for each GPU, how many per node can be had,
 * the cheapest on-demand and spot price per GPU-hour, and which clouds sell it. Pure: made from the
 * rows of a query, so every filter of the listing (provider, region, live offers) applies to it.
 */
import type { ProviderType } from '../model/index.js';
import type { CatalogRow } from './query.js';
import { usd } from './gpus.js';

/** The cheapest way to rent one GPU-hour of a model, and where. */
export interface GpuHourPrice {
  /** USD per GPU-hour. */
  price: number;
  provider: ProviderType;
  instanceType: string;
  region: string;
}

/** One GPU model as the summary shows it. */
export interface GpuModelSummary {
  /** Canonical GPU id (what `--gpu` and a pool's `gpu:` take). */
  gpu: string;
  gpuFamily: string;
  /** Memory per GPU, GiB. */
  gpuMemoryGiB: number;
  /** GPUs per node the listed types have, ascending. */
  counts: number[];
  onDemand: GpuHourPrice | undefined;
  spot: GpuHourPrice | undefined;
  providers: ProviderType[];
  /** Instance types listed for the model. */
  instanceTypes: number;
}

function cheaper(best: GpuHourPrice | undefined, row: CatalogRow, spot: boolean): GpuHourPrice | undefined {
  let out = best;
  for (const r of row.regions) {
    const node = spot ? r.spot : r.onDemand;
    if (node === undefined) continue;
    const price = usd(node / row.info.gpus);
    if (out === undefined || price < out.price) out = { price, provider: row.info.provider, instanceType: row.info.instanceType, region: r.region };
  }
  return out;
}

/** The rows' GPU models, cheapest on-demand GPU-hour first (models without one last), then by id. */
export function summarizeByGpu(rows: readonly CatalogRow[]): GpuModelSummary[] {
  const byGpu = new Map<string, GpuModelSummary>();
  for (const row of rows) {
    const i = row.info;
    const s = byGpu.get(i.gpu) ?? { gpu: i.gpu, gpuFamily: i.gpuFamily, gpuMemoryGiB: i.gpuMemoryGiB, counts: [], onDemand: undefined, spot: undefined, providers: [], instanceTypes: 0 };
    if (!s.counts.includes(i.gpus)) s.counts.push(i.gpus);
    if (!s.providers.includes(i.provider)) s.providers.push(i.provider);
    s.onDemand = cheaper(s.onDemand, row, false);
    s.spot = cheaper(s.spot, row, true);
    s.instanceTypes += 1;
    byGpu.set(i.gpu, s);
  }
  const out = [...byGpu.values()];
  for (const s of out) {
    s.counts.sort((a, b) => a - b);
    s.providers.sort();
  }
  const price = (s: GpuModelSummary): number => s.onDemand?.price ?? Infinity;
  return out.sort((a, b) => price(a) - price(b) || a.gpu.localeCompare(b.gpu));
}
