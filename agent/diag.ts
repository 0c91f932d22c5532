/**
 * DCGM active diagnostics: `dcgmi diag -r LEVEL` (1: seconds, 2: about 2 minutes, 3: about 15).
 * Level 1 runs at boot when DCGM is installed; any level runs on a `run-diagnostic` command.
 */
import { describeFailure, run, which } from './exec.js';

export interface DiagResult {
  level: number;
  passed: boolean;
  message: string;
}

/** How long each level may take before it counts as failed. */
export const DIAG_TIMEOUT_MS: Record<number, number> = { 1: 5 * 60_000, 2: 15 * 60_000, 3: 60 * 60_000, 4: 3 * 60 * 60_000 };

/** Whether DCGM's command-line tool is installed. */
export function dcgmiPath(binary = 'dcgmi'): string | undefined {
  return which(binary);
}

/** Runs the diagnostic; a non-zero exit, a `Fail` in the results or a timeout fails it. */
export async function runDiag(binary: string, level: number): Promise<DiagResult> {
  const timeoutMs = DIAG_TIMEOUT_MS[level] ?? DIAG_TIMEOUT_MS[1] ?? 300_000;
  const r = await run(binary, ['diag', '-r', String(level)], { timeoutMs });
  const failedLines = r.stdout
    .split('\n')
    .filter((l) => /\bFail\b/.test(l))
    .map((l) => l.replace(/[|+]/g, ' ').replace(/\s+/g, ' ').trim());
  if (r.code === 0 && failedLines.length === 0) return { level, passed: true, message: `dcgmi diag -r ${level} passed` };
  const why = failedLines.length > 0 ? failedLines.slice(0, 5).join('; ') : describeFailure('dcgmi diag', r, timeoutMs);
  return { level, passed: false, message: `dcgmi diag -r ${level} failed: ${why}` };
}
