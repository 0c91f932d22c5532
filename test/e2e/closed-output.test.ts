/**
 * `navarch status | head -1`: a reader that closes the output early is its choice, not an error.
 * Both CLIs run as processes with their stdout a pipe the test closes, either before anything is
 * written (every write then fails with EPIPE, so a missing guard always shows) or after the first
 * line, as `head -1` does. No stack trace, and the command's own exit code.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, copyExample, removeDir, ROOT, runCli } from '../helpers/cli.js';

const AGENT_BIN = join(ROOT, 'bin/navarch-agent.js');

interface Closed {
  code: number | null;
  signal: NodeJS.Signals | null;
  firstLine: string;
  stderr: string;
}

/** Runs `bin args` and closes its stdout: `gone` before it writes, `head` after its first line. */
function runClosed(bin: string, args: string[], mode: 'gone' | 'head', opts: { cwd?: string; input?: string } = {}): Promise<Closed> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let stderr = '';
  if (mode === 'gone') child.stdout.destroy();
  else {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) child.stdout.destroy();
    });
  }
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => undefined);
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, firstLine: out.split('\n')[0] ?? '', stderr }));
  });
}

function expectQuiet(r: Closed, code = 0): void {
  expect(r.stderr).not.toMatch(/EPIPE|\n\s+at |Unhandled/);
  expect(r.stderr).toBe('');
  expect(r.signal).toBeNull();
  expect(r.code).toBe(code);
}

let dir = '';
beforeAll(async () => {
  dir = await copyExample('quickstart');
  expect((await runCli(['apply', '--auto-approve'], { cwd: dir })).code).toBe(0);
});
afterAll(() => removeDir(dir));

describe('navarch with its output closed', () => {
  const commands: Array<{ args: string[]; first: RegExp }> = [
    { args: ['status'], first: /^Fleet "quickstart": 3 nodes/ },
    { args: ['gpus', '--json'], first: /^[[{]/ },
    { args: ['plan'], first: /\S/ },
    { args: ['--help'], first: /^Usage: navarch/ },
  ];
  for (const { args, first } of commands) {
    it(`navarch ${args.join(' ')}: quiet when the reader is gone before the first write`, async () => {
      expectQuiet(await runClosed(BIN, args, 'gone', { cwd: dir }));
    });
    it(`navarch ${args.join(' ')} | head -1: quiet, the first line printed`, async () => {
      const r = await runClosed(BIN, args, 'head', { cwd: dir });
      expectQuiet(r);
      expect(r.firstLine).toMatch(first);
    });
  }

  it('keeps the command’s own exit code, and an apply runs to its end', async () => {
    const grown = await copyExample('quickstart');
    try {
      expectQuiet(await runClosed(BIN, ['plan', '--detailed-exitcode'], 'gone', { cwd: grown }), 2);
      expectQuiet(await runClosed(BIN, ['apply', '--auto-approve'], 'gone', { cwd: grown }));
      const status = await readFile(join(grown, 'status/fleet.yaml'), 'utf8');
      expect(status.match(/^ {2}- name: /gm)).toHaveLength(3);
      expect((await runCli(['plan', '--detailed-exitcode'], { cwd: grown })).code).toBe(0);
    } finally {
      await removeDir(grown);
    }
  });

});

describe('an output that fails for another reason', () => {
  /** Runs `bin args` with its stdout on /dev/full, where every write fails with ENOSPC. */
  async function toFullDisk(bin: string, args: string[], input: string): Promise<{ code: number | null; stderr: string }> {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['pipe', full, 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin?.end(input);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      return { code, stderr };
    } finally {
      closeSync(full);
    }
  }

  it.runIf(existsSync('/dev/full'))('says so on stderr and exits 1 (a full disk behind > FILE), both CLIs', async () => {
    for (const [bin, args, input] of [
      [BIN, ['gpus', '--json'], ''],
      [AGENT_BIN, ['xid', 'parse'], 'NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.\n'],
    ] as const) {
      const r = await toFullDisk(bin, [...args], input);
      expect(r.stderr).toMatch(/^error: writing to stdout failed: ENOSPC/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(1);
    }
  });
});

describe('navarch-agent with its output closed', () => {
  const dmesg = Array.from({ length: 4000 }, (_, i) => `[${i}.0] NVRM: Xid (PCI:0000:3b:00): 79, pid=${i}, GPU has fallen off the bus.`).join('\n');
  for (const mode of ['gone', 'head'] as const) {
    it(`xid parse and --help (${mode})`, async () => {
      const parsed = await runClosed(AGENT_BIN, ['xid', 'parse'], mode, { input: dmesg });
      expectQuiet(parsed);
      if (mode === 'head') expect(JSON.parse(parsed.firstLine)).toMatchObject({ xid: 79 });
      expectQuiet(await runClosed(AGENT_BIN, ['--help'], mode));
    });
  }
});
