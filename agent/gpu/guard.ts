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
      () =>
        resolve({ time: now(), gpus: [], failures: [{ call: `${source.kind} sample`, error: `no answer within ${Math.round(timeoutMs / 1000)}s` }], incomplete: true }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      source.sample().catch((err: unknown): GpuSnapshot => ({ time: now(), gpus: [], failures: [failureOf(source, err)], incomplete: true })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A thrown error as a failure entry, keeping the call and GPU when the error names them. */
export function failureOf(source: GpuSource, err: unknown): GpuFailure {
  const e = err as { call?: unknown; gpu?: unknown; message?: unknown };
  const call = typeof e?.call === 'string' ? e.call : `${source.kind} sample`;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // Messages often start with the call's name, which the failure already carries.
  const f: GpuFailure = { call, error: message.startsWith(call) ? message.slice(call.length).replace(/^( \(GPU \d+\))?:?\s*/, '') : message };
  if (typeof e?.gpu === 'number') f.gpu = e.gpu;
  return f;
}
