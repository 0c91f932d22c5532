/** XIDs from the kernel log: line parsing, PCI addresses, kmsg records, and the log followers. */
export { parseXidLine, stripLogPrefix, type XidLine } from './parse.js';
export { nvmlPciBusId, PciMap } from './pci.js';
export { parseKmsgRecord, type KmsgRecord } from './kmsg.js';
export { XidScanner, type XidFinding, type XidScannerOptions } from './scan.js';
export { FileSource, JournalSource, KmsgSource, kernelLogSource, superviseLog, type KernelLogSource, type LogLine } from './follow.js';
