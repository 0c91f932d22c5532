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
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
