/**
 * XID lines from the kernel log, in every shape the NVIDIA driver and the log readers give them:
 *
 *   NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python, GPU has fallen off the bus.
 *   NVRM: Xid (0000:3b:00.0): 48, An uncorrectable double bit error ...        (no `PCI:`, a function)
 *   NVRM: Xid (PCI:0000:3b:00 GPU-I:05): 31, pid=..., ...                       (a MIG instance)
 *   NVRM: Xid (PCI:0000:c0:00): 149, NETIR_LINK_EVT Fatal XC0 i0 Link 00 (0x...)  (NVLink, with subcodes)
 *   NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.                        (no `Xid`: XID 79)
 *
 * behind any of the prefixes `/dev/kmsg` (`6,1234,5678,-;`), `dmesg` (`[ 12.34]`), `dmesg -T`
 * (`[Tue Mar 12 10:11:12 2024]`) and `journalctl -k` (`Mar 12 10:11:12 host kernel: `) put on them.
 * NVSwitch `SXid` lines are not GPU XIDs and are not matched.
 */
import { nvmlPciBusId } from './pci.js';

/** One XID as the kernel printed it. */
export interface XidLine {
  xid: number;
  /** NVML form (`00000000:3B:00.0`), when the line names the GPU. */
  pci?: string;
  /** The driver's text after the XID number (for a bus drop without `Xid`, the whole driver message). */
  message: string;
  /** True for "fallen off the bus" printed without an `Xid` number. */
  implicit: boolean;
}

const PCI_TEXT = '[0-9a-fA-F]{1,8}:[0-9a-fA-F]{1,2}:[0-9a-fA-F]{1,2}(?:\\.[0-7])?';
const EXPLICIT = new RegExp(`(?<![A-Za-z])Xid\\s*\\(\\s*(?:PCI:)?(${PCI_TEXT})[^)]*\\)\\s*:\\s*(\\d+)\\s*(?:,\\s*(.*))?$`);
const BUS_DROP = /fallen off the bus/i;
const BUS_DROP_PCI = /(?:PCI:|\b)([0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}(?:\.[0-7])?)\b/;

/** Removes what log readers put before the kernel's message. */
export function stripLogPrefix(line: string): string {
  let s = line.replace(/\r$/, '');
  s = s.replace(/^<\d+>/, ''); // a syslog priority
  s = s.replace(/^\d+,\d+,\d+,[^;]*;/, ''); // /dev/kmsg: PRIO,SEQ,TIMESTAMP_US,FLAGS;
  const kernel = s.indexOf(' kernel: '); // journalctl -k, syslog files
  if (kernel !== -1 && kernel < 64) s = s.slice(kernel + ' kernel: '.length);
  s = s.replace(/^\[[^\]]*\]\s*/, ''); // dmesg, dmesg -T, or a timestamp a syslog line carries
  return s.trim();
}

/** The XID a kernel log line reports, or undefined when it reports none. */
export function parseXidLine(line: string): XidLine | undefined {
  const text = stripLogPrefix(line);
  const m = EXPLICIT.exec(text);
  if (m) {
    const out: XidLine = { xid: Number(m[2]), message: (m[3] ?? '').trim(), implicit: false };
    const pci = nvmlPciBusId(m[1] ?? '');
    if (pci) out.pci = pci;
    return out;
  }
  if (!BUS_DROP.test(text) || /(?<![A-Za-z])S?Xid\b/.test(text)) return undefined;
  const message = text.replace(/^NVRM:\s*/, '');
  const out: XidLine = { xid: 79, message, implicit: true };
  const pm = BUS_DROP_PCI.exec(message);
  const pci = pm ? nvmlPciBusId(pm[1] ?? '') : undefined;
  if (pci) out.pci = pci;
  return out;
}
