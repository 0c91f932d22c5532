/** `navarch serve` as a real process on 127.0.0.1, started from the built CLI. */
import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './cli.js';

export interface ServeProcess {
  /** Where it listens, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** What it printed to each stream so far. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM, as an operator or systemd stops it; resolves with the exit code once it is gone. */
  stop(): Promise<number | null>;
}

export interface ServeProcessOptions {
  env: Record<string, string>;
  /** 0 (the default) takes any free port. */
  port?: number;
  /** More arguments (`--interval 1h` is given unless overridden here). */
  args?: string[];
}

/** Starts `navarch serve --dir DIR` and resolves once it listens (rejects if it exits first). */
export async function startServeProcess(dir: string, opts: ServeProcessOptions): Promise<ServeProcess> {
  const args = opts.args ?? ['--interval', '1h'];
  const child = spawnCli(['serve', '--dir', dir, '--listen', `127.0.0.1:${opts.port ?? 0}`, ...args], { env: opts.env });
  child.stdin?.end();
  let out = '';
  const streams = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (streams.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (streams.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m?.[1]) resolve(Number(m[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`navarch serve exited with ${code} before listening:\n${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => out,
    stdout: () => streams.stdout,
    stderr: () => streams.stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The JSON log records in `output` (serve off a terminal logs JSON lines; other lines are skipped). */
export function logRecords(output: string): Array<Record<string, unknown>> {
  // Only whole lines: the last one may still be arriving (and a slice of the output may start mid-line).
  const lines = output.split('\n').slice(0, -1);
  return lines.filter((l) => l.startsWith('{') && l.endsWith('}')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The first record whose message is `msg` (or matches it) and that has every field of `fields`. */
export function findRecord(output: string, msg: string | RegExp, fields: Record<string, unknown> = {}): Record<string, unknown> | undefined {
  return logRecords(output).find(
    (r) => (typeof msg === 'string' ? r['msg'] === msg : msg.test(String(r['msg']))) && Object.entries(fields).every(([k, v]) => r[k] === v),
  );
}
