/** Runs the built `navarch` CLI as a real process against a temporary copy of a config repo. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

/**
 * Runs `line` as a user pasting it into a shell would: `sh -c LINE` in `cwd`, with a `navarch` on
 * PATH that is the built CLI. For commands navarch prints for the user to run.
 */
export async function pasteInShell(line: string, opts: SpawnOptions = {}): Promise<CliRun> {
  const bin = await mkdtemp(join(tmpdir(), 'navarch-bin-'));
  try {
    const shim = join(bin, 'navarch');
    await writeFile(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
    await chmod(shim, 0o755);
    const child = spawn('/bin/sh', ['-c', line], {
      cwd: opts.cwd ?? bin,
      env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, HOME: process.env['HOME'] ?? '', NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return await collect(child, opts.input);
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
}

/** The command a message tells the user to run, between backticks after `prefix` (e.g. `navarch force-unlock`). */
export function printedCommand(text: string, prefix: string): string {
  const at = text.indexOf(`\`${prefix}`);
  if (at < 0) throw new Error(`no \`${prefix}…\` in: ${text}`);
  return text.slice(at + 1, text.indexOf('`', at + 1));
}
