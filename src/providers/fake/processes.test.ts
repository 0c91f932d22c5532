import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG } from '../../model/index.js';
import { fakeProvider, provisionRequest, tempRoot } from '../../../test/helpers/fake-cloud.js';
import { DEFAULT_STATE_FILE, readFakeState } from './index.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const WORKER = path.join(REPO, 'test/helpers/fake-cloud-worker.ts');

/** A worker process and its stdout, line by line. */
function startWorker(args: string[]): { child: ChildProcess; lines: string[]; waitFor: (n: number) => Promise<void>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffered = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const l of listeners) l();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (lines.length >= n) {
          listeners.delete(check);
          resolve();
        }
      };
      listeners.add(check);
      check();
      void exit.then((code) => {
        if (lines.length < n) reject(new Error(`worker exited (${String(code)}) after ${lines.length} lines: ${stderr}`));
      });
    });
  return { child, lines, waitFor, exit };
}

let root: string;
let cleanup: () => Promise<void>;
const started: ChildProcess[] = [];
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await cleanup();
});

describe('fake cloud shared by real processes', () => {
  it('records every instance exactly once when processes provision concurrently', async () => {
    const workers = ['p0', 'p1', 'p2'].map((prefix) => startWorker(['batch', root, prefix, '15', '5']));
    started.push(...workers.map((w) => w.child));
    await Promise.all(workers.map((w) => w.waitFor(1)));
    await writeFile(path.join(root, 'go'), '');
    const codes = await Promise.all(workers.map((w) => w.waitFor(2).then(() => w.exit)));
    expect(codes).toEqual([0, 0, 0]);

    const reported = workers.map((w) => JSON.parse(w.lines[1] as string) as Record<string, string>);
    const snapshot = await readFakeState(root);
    const names = snapshot.instances.map((i) => i.tags[TAG.node]);
    expect(names).toHaveLength(3 * 15 + 5);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(snapshot.instances.map((i) => i.id)).size).toBe(names.length);
    // Every process got the same instance for each shared node name.
    for (let i = 0; i < 5; i += 1) expect(new Set(reported.map((r) => r[`shared-${i}`])).size).toBe(1);
    // And each id a process was given is the one on record.
    const byName = new Map(snapshot.instances.map((inst) => [inst.tags[TAG.node], inst.id]));
    for (const r of reported) for (const [name, id] of Object.entries(r)) expect(byName.get(name)).toBe(id);
  });

  it('stays readable and usable after a writer is killed mid-stream', async () => {
    const worker = startWorker(['loop', root, 'k']);
    started.push(worker.child);
    await worker.waitFor(8);
    worker.child.kill('SIGKILL');
    await worker.exit;
    const text = await readFile(path.join(root, DEFAULT_STATE_FILE), 'utf8');
    const before = JSON.parse(text) as { instances: unknown[] };
    // A lock the dead process held is taken over once stale instead of blocking for ever.
    const provider = await fakeProvider(root);
    const inst = await provider.provision(provisionRequest('after-kill', { instanceType: 'f1.1xa10', tags: { [TAG.fleet]: 'multi' } }));
    const snapshot = await readFakeState(root);
    expect(snapshot.instances.length).toBeGreaterThanOrEqual(before.instances.length + 1);
    expect(snapshot.instances.map((i) => i.id)).toContain(inst.id);
    expect(new Set(snapshot.instances.map((i) => i.tags[TAG.node])).size).toBe(snapshot.instances.length);
  });
});
