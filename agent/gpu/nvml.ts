/**
 * The NVML GPU source: a client of the sampling thread (`nvml-worker.ts`). koffi and the driver
 * library are loaded in that thread only, and only when this source is chosen, so an agent that
 * reads the fake source or nvidia-smi never touches them.
 *
 * A call that does not return within the timeout rejects with the call's name; while it stays
 * stuck, every later read rejects at once (a second thread would only hang behind the same driver
 * lock). If the call ever returns, the thread is usable again.
 */
import { Worker } from 'node:worker_threads';
import { CALL_NAMES, type WorkerReply, type WorkerRequest, type WorkerSetup } from './nvml-protocol.js';
import type { GpuFailure, GpuInventory, GpuReading, GpuSnapshot, GpuSource } from './types.js';

export interface NvmlSourceOptions {
  /** The library to load; `libnvidia-ml.so.1` from the loader path by default. */
  libPath?: string;
  /** How long one inventory or sample may take. */
  timeoutMs: number;
  now?: () => number;
}

/** An NVML call failed or did not return; `call` names it. */
export class NvmlSourceError extends Error {
  constructor(
    message: string,
    readonly call: string,
    readonly gpu?: number,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class NvmlSource implements GpuSource {
  readonly kind = 'nvml' as const;
  private worker: Worker | undefined;
  private readonly where = new Int32Array(new SharedArrayBuffer(8));
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set while a call has overrun its timeout and not yet returned. */
  private stuck: { call: string; gpu: number; since: number } | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: NvmlSourceOptions) {
    this.now = opts.now ?? Date.now;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const setup: WorkerSetup = { libPath: this.opts.libPath ?? 'libnvidia-ml.so.1', shared: this.where.buffer as SharedArrayBuffer };
    // Built code runs the .js worker; tests running the TypeScript sources run the .ts one through tsx.
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './nvml-worker.ts' : './nvml-worker.js', import.meta.url);
    const worker = fromSource
      ? new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`, {
          eval: true,
          workerData: setup,
        })
      : new Worker(url, { workerData: setup });
    // A thread stuck in the driver must not keep the process alive once the agent stops.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (err) => this.failAll(new NvmlSourceError(`NVML thread failed: ${err.message}`, 'nvml')));
    worker.on('exit', () => {
      this.worker = undefined;
      this.failAll(new NvmlSourceError('NVML thread exited', 'nvml'));
    });
    this.worker = worker;
    return worker;
  }

  private settle(reply: WorkerReply): void {
    this.stuck = undefined;
    const p = this.pending.get(reply.id);
    if (!p) return; // answered after its timeout: the caller has already reported the hang
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    p.resolve(reply);
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }

  /** Where the thread is now, read from shared memory. */
  private current(): { call: string; gpu: number } {
    const idx = Atomics.load(this.where, 0);
    return { call: CALL_NAMES[idx - 1] ?? 'nvml', gpu: Atomics.load(this.where, 1) };
  }

  private request(op: WorkerRequest['op']): Promise<WorkerReply> {
    if (this.stuck) {
      const { call, gpu, since } = this.stuck;
      const secs = Math.round((this.now() - since) / 1000);
      return Promise.reject(new NvmlSourceError(`${call} has not returned for ${secs}s`, call, gpu >= 0 ? gpu : undefined));
    }
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const { call, gpu } = this.current();
        this.stuck = { call, gpu, since: this.now() - this.opts.timeoutMs };
        reject(
          new NvmlSourceError(`${call} did not return within ${Math.round(this.opts.timeoutMs / 1000)}s`, call, gpu >= 0 ? gpu : undefined),
        );
      }, this.opts.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, op } satisfies WorkerRequest);
    });
  }

  private async result<T>(op: 'inventory' | 'sample'): Promise<T> {
    const reply = await this.request(op);
    if (!reply.ok) throw new NvmlSourceError(reply.error, reply.call);
    return reply.result as T;
  }

  async inventory(): Promise<GpuInventory> {
    return this.result<GpuInventory>('inventory');
  }

  async sample(): Promise<GpuSnapshot> {
    const r = await this.result<{ gpus: GpuReading[]; failures: GpuFailure[] }>('sample');
    return { time: this.now(), gpus: r.gpus, failures: r.failures };
  }

  /** True while a native call has overrun its timeout: the process can then only leave through `forceExit`. */
  get wedged(): boolean {
    return this.stuck !== undefined;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    if (!this.stuck) {
      // Best effort: a clean nvmlShutdown, but never wait long for it.
      await Promise.race([this.request('close').catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    }
    this.failAll(new NvmlSourceError('NVML source closed', 'nvml'));
    this.worker = undefined;
    // A thread stuck in a native call cannot be stopped; waiting for it would hang the caller too.
    const stopped = worker.terminate().catch(() => undefined);
    if (!this.stuck) await stopped;
  }
}

/**
 * Ends the process at once with `code`, through libc `_exit`. Node's own exit joins every thread,
 * and a thread stuck inside the driver never joins, so an agent whose NVML call hung would never
 * stop. Only used in that case; koffi is already loaded then.
 */
export async function forceExit(code: number): Promise<never> {
  const koffi = ((await import('koffi')) as unknown as { default: { load(p: string): { func(s: string): (c: number) => void } } }).default;
  koffi.load('libc.so.6').func('void _exit(int status)')(code);
  throw new Error('unreachable: _exit returned');
}
