/**
 * Waiting on zone operations. `zoneOperations.wait` holds the request open until the operation is
 * DONE or about two minutes pass, and may return early (even at once) when Google's side is busy;
 * so it is called in a loop, with a short pause on the injected clock before each call after the
 * first, until DONE or navarch's own deadline.
 */
import type { protos } from '@google-cloud/compute';
import { ProviderError, type Clock } from '../../model/index.js';
import type { ComputeClients } from './client.js';
import { callOptions } from './client.js';
import { classifyError, type ErrorContext } from './errors.js';

/** A Compute Engine zone operation as the client library returns it. */
export type Operation = protos.google.cloud.compute.v1.IOperation;

/** How long navarch waits for one create or delete before calling it a transient failure. */
export const OPERATION_TIMEOUT_MS = 20 * 60_000;
const FIRST_PAUSE_MS = 1_000;
const MAX_PAUSE_MS = 10_000;

/** Rejects as soon as `signal` aborts, without waiting for `promise` (whose call keeps running). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** What waiting on one operation needs: where it runs, the clock to pause on, and how to name failures. */
export interface WaitOptions {
  clients: ComputeClients;
  project: string;
  zone: string;
  clock: Clock;
  ctx: ErrorContext;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

/** Waits until `op` is DONE and returns it as last read; its `error` is for the caller to read. */
export async function waitForOperation(op: Operation, opts: WaitOptions): Promise<Operation> {
  const deadline = opts.clock.now() + (opts.timeoutMs ?? OPERATION_TIMEOUT_MS);
  let current = op;
  for (let polls = 0; current.status !== 'DONE'; polls++) {
    if (!current.name) {
      throw new ProviderError('transient', opts.ctx.provider, `${opts.ctx.action}: the API returned an operation without a name`, {
        ...(opts.ctx.location ? { location: opts.ctx.location } : {}),
      });
    }
    if (polls > 0) {
      if (opts.clock.now() >= deadline) {
        throw new ProviderError(
          'transient',
          opts.ctx.provider,
          `${opts.ctx.action}: operation ${current.name} still ${String(current.status)} after ${Math.round((opts.timeoutMs ?? OPERATION_TIMEOUT_MS) / 60_000)} min`,
          { providerCode: 'OPERATION_TIMEOUT', ...(opts.ctx.location ? { location: opts.ctx.location } : {}) },
        );
      }
      await opts.clock.sleep(Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (polls - 1)), opts.signal);
    }
    try {
      const call = opts.clients.operations.wait({ project: opts.project, zone: opts.zone, operation: current.name }, callOptions());
      [current] = await abortable(call, opts.signal);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw classifyError(err, { ...opts.ctx, action: `${opts.ctx.action} (waiting on operation ${current.name})` });
    }
  }
  return current;
}

/** Whether a finished operation failed. */
export function failed(op: Operation): boolean {
  return (op.error?.errors?.length ?? 0) > 0 || (op.httpErrorStatusCode ?? 0) >= 400;
}
