/**
 * PCI addresses in the forms GPUs are named by: the kernel prints `0000:3b:00` (domain, bus,
 * device) or `0000:3b:00.0`, NVML and nvidia-smi print `00000000:3B:00.0`. Everything is compared
 * in NVML's form, which is also what the agent reports.
 */

const PCI = /^(?:PCI:)?(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})(?:\.([0-7]))?$/i;

/** The NVML form (`00000000:3B:00.0`) of a PCI address in any of the forms above; undefined when it is not one. */
export function nvmlPciBusId(text: string): string | undefined {
  const m = PCI.exec(text.trim());
  if (!m) return undefined;
  const hex = (s: string | undefined, width: number): string => (s ?? '0').toUpperCase().padStart(width, '0');
  return `${hex(m[1], 8)}:${hex(m[2], 2)}:${hex(m[3], 2)}.${m[4] ?? '0'}`;
}

/** A lookup from PCI address (any form) to GPU index. */
export class PciMap {
  private readonly byPci = new Map<string, number>();

  constructor(entries: Iterable<{ index: number; pciBusId: string }> = []) {
    for (const e of entries) this.set(e.pciBusId, e.index);
  }

  set(pci: string, index: number): void {
    const key = nvmlPciBusId(pci);
    if (key) this.byPci.set(key, index);
  }

  /** The GPU index at `pci`, when known. The kernel omits the function, so `.0` is assumed then. */
  index(pci: string | undefined): number | undefined {
    if (!pci) return undefined;
    const key = nvmlPciBusId(pci);
    return key === undefined ? undefined : this.byPci.get(key);
  }

  get size(): number {
    return this.byPci.size;
  }
}
