/**
 * A separate process driving the fake cloud, for tests of cross-process safety.
 *
 *   node --import tsx test/helpers/fake-cloud-worker.ts batch <root> <prefix> <count> <shared>
 *     prints "ready", waits for <root>/go, then provisions <prefix>-0..count-1 and shared-0..shared-1
 *     five at a time, and prints the ids it got as one JSON line.
 *   node --import tsx test/helpers/fake-cloud-worker.ts loop <root> <prefix>
 *     provisions and terminates without end, printing each new id (to be killed).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { TAG, type ProvisionRequest } from '../../src/model/index.js';
import { fakeProvider, provisionRequest } from './fake-cloud.js';

const req = (nodeName: string): ProvisionRequest =>
  provisionRequest(nodeName, { instanceType: 'f1.1xa10', tags: { [TAG.fleet]: 'multi', [TAG.node]: nodeName } });

async function waitForFile(file: string): Promise<void> {
  for (;;) {
    try {
      await access(file);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function batch(root: string, prefix: string, count: number, shared: number): Promise<void> {
  const provider = await fakeProvider(root);
  process.stdout.write('ready\n');
  await waitForFile(path.join(root, 'go'));
  const names = [...Array.from({ length: count }, (_, i) => `${prefix}-${i}`), ...Array.from({ length: shared }, (_, i) => `shared-${i}`)];
  const ids: Record<string, string> = {};
  for (let i = 0; i < names.length; i += 5) {
    const chunk = names.slice(i, i + 5);
    const got = await Promise.all(chunk.map((n) => provider.provision(req(n))));
    got.forEach((inst, j) => (ids[chunk[j] as string] = inst.id));
    await provider.list({ tags: { [TAG.fleet]: 'multi' } });
  }
  process.stdout.write(`${JSON.stringify(ids)}\n`);
}

async function loop(root: string, prefix: string): Promise<void> {
  const provider = await fakeProvider(root);
  for (let i = 0; ; i += 1) {
    const inst = await provider.provision(req(`${prefix}-${i}`));
    process.stdout.write(`${inst.id}\n`);
    if (i % 2 === 1) await provider.terminate(inst.id);
  }
}

const [mode, root, prefix, count, shared] = process.argv.slice(2);
if (mode === 'batch' && root && prefix) await batch(root, prefix, Number(count), Number(shared));
else if (mode === 'loop' && root && prefix) await loop(root, prefix);
else throw new Error(`usage: fake-cloud-worker batch|loop <root> <prefix> [count shared]`);
