import { mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NavarchError, TAG, type ProvisionRequest } from '../../model/index.js';
import { fakeProvider, tempRoot, provisionRequest } from '../../../test/helpers/fake-cloud.js';
import { DEFAULT_STATE_FILE, readFakeState } from './index.js';

const req = (nodeName: string): ProvisionRequest =>
  provisionRequest(nodeName, { instanceType: 'f1.1xa10', tags: { [TAG.fleet]: 'demo', [TAG.node]: nodeName } });

let root: string;
let cleanup: () => Promise<void>;
let stateFile: string;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
  stateFile = path.join(root, DEFAULT_STATE_FILE);
});
afterEach(() => cleanup());

describe('fake cloud state under concurrency', () => {
  it('loses no write and duplicates no node when several providers provision at once', async () => {
    const providers = await Promise.all([0, 1, 2, 3].map(() => fakeProvider(root)));
    // Each provider launches its own nodes and, at the same time, the same shared ones.
    const calls = providers.flatMap((p, i) => [
      ...Array.from({ length: 8 }, (_, n) => p.provision(req(`own-${i}-${n}`))),
      ...Array.from({ length: 4 }, (_, n) => p.provision(req(`shared-${n}`))),
      p.list({ tags: {} }),
    ]);
    await Promise.all(calls);
    const snapshot = await readFakeState(root);
    const names = snapshot.instances.map((i) => i.tags[TAG.node]);
    expect(names).toHaveLength(4 * 8 + 4);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(snapshot.instances.map((i) => i.id)).size).toBe(names.length);
    expect(JSON.parse(await readFile(stateFile, 'utf8')).nextId).toBe(names.length + 1);
  });

  it('takes over a lock left by a killed process', async () => {
    const provider = await fakeProvider(root);
    await provider.provision(req('before'));
    const lockDir = `${stateFile}.lock`;
    await mkdir(lockDir);
    const old = new Date(Date.now() - 60_000);
    await utimes(lockDir, old, old);
    await expect(provider.provision(req('after'))).resolves.toMatchObject({ state: 'running' });
    expect((await provider.list({ tags: {} })).map((i) => i.tags[TAG.node])).toEqual(['before', 'after']);
  });

  it('waits for a live holder of the lock instead of writing past it', async () => {
    const provider = await fakeProvider(root);
    await provider.provision(req('first'));
    const release = await lockfile.lock(stateFile, { realpath: false });
    let done = false;
    const waiting = provider.provision(req('second')).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    await release();
    await waiting;
    expect(await provider.list({ tags: {} })).toHaveLength(2);
  });

  it('ignores and removes temp files a killed writer left behind', async () => {
    const provider = await fakeProvider(root);
    await provider.provision(req('kept'));
    const intact = await readFile(stateFile, 'utf8');
    // What write-file-atomic leaves when its process dies between write and rename.
    const leftover = `${stateFile}.123456789`;
    await writeFile(leftover, intact.slice(0, intact.length / 2));
    const fresh = await fakeProvider(root);
    await expect(fresh.list({ tags: {} })).resolves.toHaveLength(1);
    await fresh.provision(req('next'));
    expect((await fresh.list({ tags: {} })).map((i) => i.tags[TAG.node])).toEqual(['kept', 'next']);
    expect((await readdir(path.dirname(stateFile))).filter((n) => n.startsWith('fake-cloud.json.'))).toEqual([]);
  });

  it('refuses to overwrite a state file it cannot read', async () => {
    await mkdir(path.dirname(stateFile), { recursive: true });
    await writeFile(stateFile, '{"instances": [');
    const provider = await fakeProvider(root);
    const err = await provider.list({ tags: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NavarchError);
    expect(err).toMatchObject({ code: 'provider.fake-state' });
    expect(await readFile(stateFile, 'utf8')).toBe('{"instances": [');
  });

  it('creates the state directory and a custom state file', async () => {
    const provider = await fakeProvider(root, { state_file: 'deep/er/cloud.json' });
    await provider.provision(req('a'));
    expect(JSON.parse(await readFile(path.join(root, 'deep/er/cloud.json'), 'utf8')).instances).toHaveLength(1);
  });
});
