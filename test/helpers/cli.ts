/** Runs the built `navarch` CLI as a real process against a temporary copy of a config repo. */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin/navarch.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Copies `examples/<name>` (without local state or status) into a fresh temp directory. */
export async function copyExample(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `navarch-${name}-`));
  await cp(join(ROOT, 'examples', name), dir, {
    recursive: true,
    filter: (src) => !src.includes('/.navarch') && !src.endsWith('/status'),
  });
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
}

export function spawnCli(args: string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NO_COLOR: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Collects a spawned process's output until it exits. */
export function collect(child: ChildProcess, input?: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (input !== undefined) child.stdin?.end(input);
  else child.stdin?.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(args: string[], opts: SpawnOptions = {}): Promise<CliRun> {
  return collect(spawnCli(args, opts), opts.input);
}
