/** `navarch-agent xid parse` as an operator runs it: a pasted kernel log on stdin, JSON lines out. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_BIN, ROOT } from './agent-process.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

function run(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AGENT_BIN, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('navarch-agent xid parse', () => {
  it('prints one JSON object per XID for every line shape, with the fields in order', async () => {
    const input = await readFile(join(FIXTURES, 'xid-lines.txt'), 'utf8');
    const expected = await readFile(join(FIXTURES, 'xid-lines.expected.jsonl'), 'utf8');
    const r = await run(['xid', 'parse'], input);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected);
    for (const line of r.stdout.trim().split('\n')) expect(Object.keys(JSON.parse(line) as object)).toEqual(['xid', 'pci', 'gpu', 'bucket', 'action', 'message']);
  });

  it('names the GPU from a PCI map given on the command line', async () => {
    const r = await run(['xid', 'parse', '--gpu-map', '0=0000:18:00,3=0000:3b:00.0'], 'NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.\r\n[ 1.0] NVRM: Xid (0000:18:00): 48, DBE\n');
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { gpu: number | null }).gpu)).toEqual([3, 0]);
  });

  it('learns the GPUs from a GPU source', async () => {
    const r = await run(['xid', 'parse', '--gpu-source', 'fake', '--fake-gpus', '8'], 'NVRM: Xid (PCI:0000:db:00): 79, GPU has fallen off the bus.\n');
    expect(JSON.parse(r.stdout)).toMatchObject({ xid: 79, gpu: 7, pci: '00000000:DB:00.0', bucket: 'replace' });
  });

  it('prints nothing for a log without XIDs, and refuses a malformed map', async () => {
    expect((await run(['xid', 'parse'], 'kernel: eth0: link up\n')).stdout).toBe('');
    const bad = await run(['xid', 'parse', '--gpu-map', 'zero=here'], '');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('INDEX=PCI');
  });
});
