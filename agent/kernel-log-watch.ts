/**
 * Following the kernel log for XIDs: each line is scanned, each XID becomes an event, and the
 * state of the follower is kept as a check (a node whose XIDs cannot be seen is not fully watched).
 */
import type { CheckResult, Clock, HealthEvent } from '../src/model/index.js';
import type { Logger } from '../src/log/index.js';
import { superviseLog, type KernelLogSource, type LogLine, type XidScanner } from './xid/index.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class KernelLogWatch {
  /** The `kernel-log` check as things stand; undefined until a source is tried. */
  check: CheckResult | undefined;
  /** The last /dev/kmsg record that held an XID (what a restarted agent skips to). */
  lastSeq: number | undefined;

  constructor(
    private readonly scanner: XidScanner,
    private readonly deps: { clock: Clock; log: Logger },
    afterSeq: number | undefined,
  ) {
    this.lastSeq = afterSeq;
  }

  private following(source: KernelLogSource): void {
    this.check = { name: 'kernel-log', status: 'pass', message: `following ${source.describe}` };
  }

  /** Follows `open()`'s source until `signal` aborts, calling `onXid` for every XID. */
  async run(open: () => Promise<KernelLogSource | undefined>, onXid: (e: HealthEvent) => void, signal: AbortSignal): Promise<void> {
    const source = await open().catch((err: unknown) => {
      this.check = { name: 'kernel-log', status: 'warn', message: `cannot follow the kernel log: ${message(err)}` };
      return undefined;
    });
    if (!source) return;
    this.following(source);
    const onLine = (line: LogLine): void => {
      const x = this.scanner.scan(line.text);
      if (!x) return;
      if (line.seq !== undefined) this.lastSeq = line.seq;
      const e: HealthEvent = { kind: 'xid', time: new Date(this.deps.clock.now()).toISOString(), xid: x.xid, message: x.message };
      if (x.gpu !== undefined) e.gpu = x.gpu;
      if (x.pci !== undefined) e.pci = x.pci;
      const level = x.info.fatal ? 'error' : 'warn';
      this.deps.log[level]({ xid: x.xid, gpu: x.gpu, pci: x.pci, bucket: x.info.bucket }, `XID ${x.xid}: ${x.info.name}`);
      onXid(e);
    };
    await superviseLog(source, onLine, signal, {
      ...this.deps,
      onError: (err) => {
        this.check = { name: 'kernel-log', status: 'warn', message: `cannot read ${source.describe}: ${message(err)}` };
      },
      onStart: () => this.following(source),
    });
  }
}
