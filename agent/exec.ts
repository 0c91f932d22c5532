/** Running the host's tools (nvidia-smi, dcgmi, command hooks) with a deadline. */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

export interface ExecResult {
  /** Exit status; null when the process was killed or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started (e.g. ENOENT: not installed). */
  startError?: string;
}

export interface ExecOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  maxBytes?: number;
}

/** Runs `file` with `args`; never throws. A run past its deadline is killed (SIGKILL) and marked timedOut. */
export function run(file: string, args: string[], opts: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: opts.timeoutMs, killSignal: 'SIGKILL', maxBuffer: opts.maxBytes ?? 4 * 1024 * 1024, env: opts.env ?? process.env, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr, timedOut: false });
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string };
        if (typeof e.code === 'string' && e.code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          return resolve({ code: null, stdout: '', stderr: '', timedOut: false, startError: `${e.code}: ${e.message}` });
        }
        const timedOut = Boolean(e.killed) && e.signal === 'SIGKILL';
        resolve({ code: typeof e.code === 'number' ? e.code : null, stdout, stderr, timedOut });
      },
    );
  });
}

/** A one-line description of a failed run, for failure reports. */
export function describeFailure(what: string, r: ExecResult, timeoutMs: number): string {
  if (r.startError) return `${what} could not start: ${r.startError}`;
  if (r.timedOut) return `${what} did not finish within ${Math.round(timeoutMs / 1000)}s`;
  const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-2).join(' ').slice(0, 300);
  return `${what} exited with ${r.code ?? 'a signal'}${detail ? `: ${detail}` : ''}`;
}

/** The path of `name` on PATH (or `name` itself when it contains a slash and is executable); undefined when absent. */
export function which(name: string, pathEnv = process.env['PATH'] ?? ''): string | undefined {
  const candidates = name.includes('/') ? [name] : pathEnv.split(':').filter(Boolean).map((d) => `${d}/${name}`);
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}
