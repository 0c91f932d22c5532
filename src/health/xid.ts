/**
 * NVIDIA XID catalog (NVIDIA's "XID Errors" document) reduced to what navarch does about each one.
 * Buckets: application (the job's fault; node stays), degraded (watch), reset (needs a GPU reset,
 * which on cloud VMs means reboot or replace; replace when it repeats), replace (the node is done),
 * ignore.
 */

export type XidBucket = 'application' | 'ignore' | 'degraded' | 'reset' | 'replace';

export interface XidInfo {
  xid: number;
  /** What the error means, in NVIDIA's words where short enough. */
  name: string;
  bucket: XidBucket;
  /** What navarch does, in words for an operator. */
  action: string;
  /** Sent to the control plane at once rather than at the next health interval. */
  fatal: boolean;
}

const T = (xid: number, name: string, bucket: XidBucket, action: string): XidInfo => ({
  xid,
  name,
  bucket,
  action,
  fatal: bucket === 'reset' || bucket === 'replace',
});

const RESET_ACTION = 'reset the GPU (on a cloud VM: reboot or replace the node); replace the node if it repeats';
const APP_ACTION = 'application error: no node action';

const ENTRIES: XidInfo[] = [
  T(13, 'Graphics engine exception', 'application', APP_ACTION),
  T(31, 'GPU memory page fault (MMU fault)', 'application', APP_ACTION),
  T(43, 'GPU stopped processing', 'ignore', 'application error: ignored'),
  T(45, 'Preemptive cleanup, due to previous errors', 'application', APP_ACTION),
  T(48, 'Double-bit ECC error', 'reset', RESET_ACTION),
  T(62, 'Internal micro-controller halt (PMU halt)', 'reset', RESET_ACTION),
  T(63, 'ECC page retirement or row-remap recording event (pending)', 'degraded', 'a GPU reset activates the remap; the node is degraded until then'),
  T(64, 'ECC page retirement or row-remap recording failure', 'replace', 'replace the node (GPU needs RMA)'),
  T(74, 'NVLink error', 'reset', RESET_ACTION),
  T(79, 'GPU has fallen off the bus', 'replace', 'replace the node (a reboot at best)'),
  T(92, 'High single-bit ECC error rate', 'degraded', 'degraded: watch for further ECC errors'),
  T(94, 'Contained ECC error', 'application', 'application error: the affected process was stopped; the node stays'),
  T(95, 'Uncontained ECC error', 'reset', RESET_ACTION),
  T(109, 'Context switch timeout', 'reset', RESET_ACTION),
  T(119, 'GSP RPC timeout', 'reset', RESET_ACTION),
  T(120, 'GSP error', 'reset', RESET_ACTION),
  T(136, 'Link training failure', 'reset', RESET_ACTION),
  T(140, 'Unrecovered ECC error', 'reset', RESET_ACTION),
  T(143, 'GPU initialization failure', 'reset', RESET_ACTION),
  ...[144, 145, 146, 147, 148, 149, 150].map((x) => T(x, 'NVLink error', 'reset', RESET_ACTION)),
];

const CATALOG = new Map(ENTRIES.map((e) => [e.xid, e]));

/** Every XID the catalog names, in numeric order. */
export function xidCatalog(): XidInfo[] {
  return [...ENTRIES];
}

/**
 * What navarch makes of an XID. XID 154 ("recovery action changed") names its action in the message;
 * an XID the catalog does not know is treated as degraded, so it is watched rather than ignored.
 */
export function xidInfo(xid: number, message = ''): XidInfo {
  const known = CATALOG.get(xid);
  if (known) return known;
  if (xid === 154) {
    const m = message.toLowerCase();
    if (m.includes('node reboot required')) return T(154, 'Recovery action changed: node reboot required', 'replace', 'replace the node (a reboot is required)');
    if (m.includes('reset required') || m.includes('drain and reset')) return T(154, 'Recovery action changed: GPU reset required', 'reset', RESET_ACTION);
    return T(154, 'Recovery action changed', 'degraded', 'degraded: read the recovery action in the message');
  }
  return T(xid, `XID ${xid} (not in navarch's catalog)`, 'degraded', 'degraded: unknown XID, watched');
}
