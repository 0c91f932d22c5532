/**
 * The nvidia-smi GPU source: the fallback when NVML cannot be loaded. Each reading is one
 * nvidia-smi run (killed after the timeout); a failed run is a failure, never an empty reading.
 */
import { describeFailure, run } from '../exec.js';
import {
  isUnknownFieldError,
  parseSmiInventory,
  parseSmiNvLinks,
  parseSmiRemap,
  parseSmiSample,
  SMI_INVENTORY_FIELDS,
  SMI_LEGACY_CLOCK_FIELD,
  SMI_SAMPLE_FIELDS,
  smiQueryArgs,
  smiRemapArgs,
} from './smi-parse.js';
import type { GpuInventory, GpuSnapshot, GpuSource } from './types.js';
import { nvmlPciBusId } from '../xid/pci.js';

export interface SmiSourceOptions {
  /** Path or name of the program; `nvidia-smi` from PATH by default. */
  binary?: string;
  timeoutMs: number;
  now?: () => number;
}

/** nvidia-smi could not be run or refused the query. */
export class SmiError extends Error {
  constructor(
    message: string,
    readonly call: string,
  ) {
    super(message);
  }
}

export class SmiSource implements GpuSource {
  readonly kind = 'nvidia-smi' as const;
  private readonly binary: string;
  private readonly now: () => number;
  private sampleFields: string[] = [...SMI_SAMPLE_FIELDS];
  /** PCI bus id → index, from the inventory, to place remapped-rows rows. */
  private pciIndex = new Map<string, number>();
  /** Learnt from the first run: skip queries this machine does not answer. */
  private remapSupported = true;
  private nvlinkSupported = true;

  constructor(private readonly opts: SmiSourceOptions) {
    this.binary = opts.binary ?? 'nvidia-smi';
    this.now = opts.now ?? Date.now;
  }

  private async query(args: string[], call: string): Promise<string> {
    const r = await run(this.binary, args, { timeoutMs: this.opts.timeoutMs });
    if (r.code !== 0) throw Object.assign(new SmiError(describeFailure('nvidia-smi', r, this.opts.timeoutMs), call), { stderr: r.stderr + r.stdout });
    return r.stdout;
  }

  async inventory(): Promise<GpuInventory> {
    const out = await this.query(smiQueryArgs(SMI_INVENTORY_FIELDS), 'nvidia-smi --query-gpu');
    const { gpus, driverVersion } = parseSmiInventory(out);
    this.pciIndex = new Map(gpus.map((g) => [g.pciBusId, g.index]));
    const inv: GpuInventory = { source: 'nvidia-smi', gpus, failures: [] };
    if (driverVersion) inv.driverVersion = driverVersion;
    return inv;
  }

  async sample(): Promise<GpuSnapshot> {
    let csv: string;
    try {
      csv = await this.query(smiQueryArgs(this.sampleFields), 'nvidia-smi --query-gpu');
    } catch (err) {
      // Drivers before R535 know the clock-event field by its older name only.
      const stderr = (err as { stderr?: string }).stderr ?? '';
      if (!isUnknownFieldError(stderr) || this.sampleFields.at(-1) === SMI_LEGACY_CLOCK_FIELD) throw err;
      this.sampleFields = [...SMI_SAMPLE_FIELDS.slice(0, -1), SMI_LEGACY_CLOCK_FIELD];
      csv = await this.query(smiQueryArgs(this.sampleFields), 'nvidia-smi --query-gpu');
    }
    const { gpus, failures } = parseSmiSample(csv);
    if (this.remapSupported) {
      const r = await run(this.binary, smiRemapArgs(), { timeoutMs: this.opts.timeoutMs });
      if (r.code === 0) {
        for (const [pci, rows] of parseSmiRemap(r.stdout)) {
          const index = this.pciIndex.get(nvmlPciBusId(pci) ?? pci);
          const g = gpus.find((x) => x.index === index);
          if (g) g.remappedRows = rows;
        }
      } else if (r.timedOut) {
        failures.push({ call: 'nvidia-smi --query-remapped-rows', error: describeFailure('nvidia-smi', r, this.opts.timeoutMs) });
      } else {
        this.remapSupported = false; // GPUs before Ampere do not remap rows
      }
    }
    if (this.nvlinkSupported) {
      const r = await run(this.binary, ['nvlink', '-s'], { timeoutMs: this.opts.timeoutMs });
      const links = r.code === 0 ? parseSmiNvLinks(r.stdout) : new Map();
      if (r.timedOut) failures.push({ call: 'nvidia-smi nvlink', error: describeFailure('nvidia-smi', r, this.opts.timeoutMs) });
      else if (links.size === 0) this.nvlinkSupported = false;
      for (const [index, list] of links) {
        const g = gpus.find((x) => x.index === index);
        if (g) g.nvlinks = list;
      }
    }
    return { time: this.now(), gpus, failures };
  }

  async close(): Promise<void> {}
}
