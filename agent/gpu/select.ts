/**
 * Choosing the GPU source. `auto` tries NVML, then nvidia-smi; `nvml`, `nvidia-smi` and `fake` use
 * that source alone. The inventory is taken here, under the same timeout as sampling, so a driver
 * that hangs at start is reported as a failed boot check instead of stopping the agent.
 */
import type { Logger } from '../../src/log/index.js';
import { FakeGpuSource, specFile, type FakeGpuSpec } from './fake.js';
import { failureOf } from './guard.js';
import { NvmlSource } from './nvml.js';
import { SmiSource } from './smi.js';
import type { GpuFailure, GpuInventory, GpuSource, GpuSourceKind } from './types.js';

export type GpuSourceChoice = GpuSourceKind | 'auto';

export interface GpuSourceOptions {
  choice: GpuSourceChoice;
  timeoutMs: number;
  nvmlLib?: string;
  smiBinary?: string;
  /** For the fake source: a spec file (re-read when it changes) and/or a GPU count. */
  fakeSpecFile?: string;
  fakeGpus?: number;
  log: Logger;
  now?: () => number;
}

export interface OpenedGpus {
  source: GpuSource;
  /** The GPUs found, when a source could take an inventory. */
  inventory?: GpuInventory;
  /** Why no source could take one (the first source's failure). */
  failure?: GpuFailure;
  /** Every source tried without success, in order (for the boot check's message). */
  attempts?: Array<{ kind: GpuSourceKind; failure: GpuFailure }>;
}

function make(kind: GpuSourceKind, o: GpuSourceOptions): GpuSource {
  const now = o.now ?? Date.now;
  switch (kind) {
    case 'nvml':
      return new NvmlSource({ timeoutMs: o.timeoutMs, now, ...(o.nvmlLib ? { libPath: o.nvmlLib } : {}) });
    case 'nvidia-smi':
      return new SmiSource({ timeoutMs: o.timeoutMs, now, ...(o.smiBinary ? { binary: o.smiBinary } : {}) });
    case 'fake': {
      const base: FakeGpuSpec = o.fakeGpus === undefined ? {} : { gpus: o.fakeGpus };
      return new FakeGpuSource({ spec: o.fakeSpecFile ? specFile(o.fakeSpecFile, base) : base, now });
    }
  }
}

async function inventoryWithin(source: GpuSource, timeoutMs: number): Promise<GpuInventory> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      source.inventory(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`no inventory within ${Math.round(timeoutMs / 1000)}s`), { call: `${source.kind} inventory` })), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens the chosen source (with fallback for `auto`) and takes the inventory. Never throws. */
export async function openGpus(o: GpuSourceOptions): Promise<OpenedGpus> {
  const kinds: GpuSourceKind[] = o.choice === 'auto' ? ['nvml', 'nvidia-smi'] : [o.choice];
  let first: OpenedGpus | undefined;
  const attempts: Array<{ kind: GpuSourceKind; failure: GpuFailure }> = [];
  for (const kind of kinds) {
    const source = make(kind, o);
    try {
      const inventory = await inventoryWithin(source, o.timeoutMs);
      o.log.info({ source: kind, gpus: inventory.gpus.length, driver: inventory.driverVersion }, 'GPU source ready');
      return { source, inventory };
    } catch (err) {
      const failure = failureOf(source, err);
      o.log.warn({ source: kind, call: failure.call, err: failure.error }, 'GPU source unavailable');
      attempts.push({ kind, failure });
      // When every source fails, the first (NVML in `auto`) stays: its failures are the most precise.
      if (first) await source.close().catch(() => undefined);
      else first = { source, failure, attempts };
    }
  }
  return first as OpenedGpus;
}
