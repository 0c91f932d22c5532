import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorySource, MAX_FILE_BYTES } from './source.js';
import { memorySource } from './memory-source.js';
import { loadDesired, validateRepo } from './load.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('directorySource', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'navarch-config-'));
    await mkdir(join(dir, 'pools', 'nested'), { recursive: true });
    await writeFile(join(dir, 'navarch.yaml'), 'providers: {}\n');
    await writeFile(join(dir, 'pools', 'b.yaml'), 'x: 1\n');
    await writeFile(join(dir, 'pools', 'a.yml'), 'x: 1\n');
    await writeFile(join(dir, 'big.yaml'), 'x'.repeat(MAX_FILE_BYTES + 100));
    await symlink(join(dir, 'pools'), join(dir, 'link'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists the files directly inside a folder, sorted and repo-relative', async () => {
    const src = directorySource(dir);
    expect(await src.list('pools')).toEqual(['pools/a.yml', 'pools/b.yaml']);
    expect(await src.list('')).toEqual(['big.yaml', 'navarch.yaml']);
    expect(await src.list('jobs')).toEqual([]);
  });

  it('reads files, returns undefined for absent ones and for paths outside the root', async () => {
    const src = directorySource(dir);
    expect(await src.read('pools/b.yaml')).toBe('x: 1\n');
    expect(await src.read('pools/none.yaml')).toBeUndefined();
    expect(await src.read('pools')).toBeUndefined();
    expect(await src.read('../etc/passwd')).toBeUndefined();
    expect(await src.read('/etc/passwd')).toBeUndefined();
  });

  it('stops reading one byte past the size limit', async () => {
    const text = await directorySource(dir).read('big.yaml');
    expect(text?.length).toBe(MAX_FILE_BYTES + 1);
  });

  it('loads the quickstart fixture from disk', async () => {
    const desired = await loadDesired(directorySource(fixture('quickstart')));
    expect(desired.fleet).toBe('quickstart');
    expect(desired.root).toBe(fixture('quickstart'));
    expect(desired.pools.map((p) => [p.name, p.candidates.map((c) => `${c.region}/${c.instanceType}/${c.zones.join('+')}`)])).toEqual([
      ['inference', ['local-2/f1.1xa10/', 'local-1/f1.1xa10/']],
      ['train', ['local-1/f1.8xh100/local-1a+local-1b']],
    ]);
    expect(desired.jobs.map((j) => j.name)).toEqual(['finetune']);
  });

  it('gives the same result from disk and from memory', async () => {
    const disk = await validateRepo(directorySource(fixture('broken')));
    const files: Record<string, string> = {};
    const src = directorySource(fixture('broken'));
    for (const path of [...(await src.list('')), ...(await src.list('pools'))]) files[path] = (await src.read(path)) ?? '';
    const memory = await validateRepo(memorySource(files, fixture('broken')));
    expect(memory.diagnostics).toEqual(disk.diagnostics);
    expect(disk.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual(['navarch.yaml:4:5', 'pools/train.yaml:3:1']);
  });
});
