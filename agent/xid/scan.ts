/**
 * From kernel log lines to XID events: parse, name the GPU from its PCI address, classify with the
 * catalog, and drop the second report of one bus drop (drivers print "fallen off the bus" beside
 * `Xid ... 79`; one GPU lost once is one event).
 */
import { xidInfo, type XidInfo } from '../../src/health/index.js';
import { parseXidLine } from './parse.js';
import { PciMap } from './pci.js';

export interface XidFinding {
  xid: number;
  pci?: string;
  gpu?: number;
  message: string;
  info: XidInfo;
}

export interface XidScannerOptions {
  pciMap?: PciMap;
  /** Position of the current line, in whatever unit `window` is in (ms for a live log, line numbers for a paste). */
  at: () => number;
  /** How far apart two reports of one bus drop may be. */
  window: number;
}

export class XidScanner {
  private pciMap: PciMap;
  /** Last bus drop per PCI address (or `?`): where it was seen and whether it had an `Xid` number. */
  private readonly lastDrop = new Map<string, { at: number; implicit: boolean }>();

  constructor(private readonly opts: XidScannerOptions) {
    this.pciMap = opts.pciMap ?? new PciMap();
  }

  /** Replaces the PCI → GPU index map (once the GPUs are known). */
  setPciMap(map: PciMap): void {
    this.pciMap = map;
  }

  /** The XID on `line`, or undefined when it has none or repeats a bus drop just reported. */
  scan(line: string): XidFinding | undefined {
    const x = parseXidLine(line);
    if (!x) return undefined;
    if (x.xid === 79) {
      const key = x.pci ?? '?';
      const now = this.opts.at();
      const prev = this.lastDrop.get(key);
      this.lastDrop.set(key, { at: now, implicit: x.implicit });
      // Two explicit XID 79s are two events; an explicit and an unnumbered one close together are one.
      if (prev && now - prev.at <= this.opts.window && (prev.implicit || x.implicit)) return undefined;
    }
    const out: XidFinding = { xid: x.xid, message: x.message, info: xidInfo(x.xid, x.message) };
    if (x.pci) out.pci = x.pci;
    const gpu = this.pciMap.index(x.pci);
    if (gpu !== undefined) out.gpu = gpu;
    return out;
  }
}
