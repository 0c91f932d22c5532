/**
 * Reading GPUs without trusting the reader: a source that throws or does not answer in time gives
 * a snapshot whose failures say so. The agent never waits on a wedged driver and never mistakes
 * silence for health.
 */
import type { GpuFailure, GpuSnapshot, GpuSource } from './types.js';

/** `source.sample()` within `timeoutMs`; a throw or a timeout becomes a snapshot with one failure. */
export async function guardedSample(source: GpuSource, timeoutMs: number, now: () => number): Promise<GpuSnapshot> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<GpuSnapshot>((resolve) => {
    timer = setTimeout(
      () => resolve({ time: now(), gpus: [], failures: [{ call: `${source.kind} sample`, error: `no answer within ${Math.round(timeoutMs / 1000)}s` }] }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      source.sample().catch((err: unknown) => ({ time: now(), gpus: [], failures: [failureOf(source, err)] })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A thrown error as a failure entry, keeping the call and GPU when the error names them. */
export function failureOf(source: GpuSource, err: unknown): GpuFailure {
  const e = err as { call?: unknown; gpu?: unknown; message?: unknown };
  const f: GpuFailure = {
    call: typeof e?.call === 'string' ? e.call : `${source.kind} sample`,
    error: typeof e?.message === 'string' ? e.message : String(err),
  };
  if (typeof e?.gpu === 'number') f.gpu = e.gpu;
  return f;
}
