import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorySource, MAX_FILE_BYTES, SourceFileError } from './source.js';
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

  it('lists every entry directly inside a folder, sorted and repo-relative', async () => {
    const src = directorySource(dir);
    expect(await src.list('pools')).toEqual(['pools/a.yml', 'pools/b.yaml', 'pools/nested']);
    expect(await src.list('')).toEqual(['big.yaml', 'link', 'navarch.yaml', 'pools']);
    expect(await src.list('jobs')).toEqual([]);
    expect(await src.list('link')).toEqual(['link/a.yml', 'link/b.yaml', 'link/nested']);
  });

  it('reads files, returns undefined for absent ones and for paths outside the root, refuses a directory', async () => {
    const src = directorySource(dir);
    expect(await src.read('pools/b.yaml')).toBe('x: 1\n');
    expect(await src.read('link/b.yaml')).toBe('x: 1\n');
    expect(await src.read('pools/none.yaml')).toBeUndefined();
    await expect(src.read('pools')).rejects.toThrow(new SourceFileError('pools', 'is a directory, not a file'));
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
    for (const path of [...(await src.list('')), ...(await src.list('pools'))].filter((p) => /\.ya?ml$/.test(p))) files[path] = (await src.read(path)) ?? '';
    const memory = await validateRepo(memorySource(files, fixture('broken')));
    expect(memory.diagnostics).toEqual(disk.diagnostics);
    expect(disk.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual(['navarch.yaml:4:5', 'pools/train.yaml:3:1']);
  });
});

describe('files that are not plain files', () => {
  let dir = '';
  let outside = '';
  const NAVARCH = 'fleet: demo\nproviders:\n  local:\n    type: fake\n';
  const POOL = 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 1\nmax_nodes: 2\n';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'navarch-config-links-'));
    outside = await mkdtemp(join(tmpdir(), 'navarch-config-outside-'));
    await mkdir(join(dir, 'pools'), { recursive: true });
    await mkdir(join(dir, 'shared'), { recursive: true });
    await writeFile(join(dir, 'navarch.yaml'), NAVARCH);
    await writeFile(join(dir, 'shared', 'infer.yaml'), POOL);
    await writeFile(join(outside, 'stolen.yaml'), POOL);
    await symlink('../shared/infer.yaml', join(dir, 'pools', 'infer.yaml'));
    await writeFile(join(dir, 'pools', 'train.yaml'), POOL);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('follows a link that resolves inside the repository', async () => {
    const desired = await loadDesired(directorySource(dir));
    expect(desired.pools.map((p) => [p.name, p.source.file])).toEqual([
      ['infer', 'pools/infer.yaml'],
      ['train', 'pools/train.yaml'],
    ]);
  });

  it('refuses, by name, a link that leaves the repository, one that leads nowhere, a loop, a directory and a FIFO', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'navarch-config-bad-'));
    try {
      await mkdir(join(scratch, 'pools', 'dir.yaml'), { recursive: true });
      await writeFile(join(scratch, 'navarch.yaml'), NAVARCH);
      await symlink(join(outside, 'stolen.yaml'), join(scratch, 'pools', 'stolen.yaml'));
      await symlink('missing.yaml', join(scratch, 'pools', 'dangling.yaml'));
      await symlink('loop.yaml', join(scratch, 'pools', 'loop.yaml'));
      execFileSync('mkfifo', [join(scratch, 'pools', 'pipe.yaml')]);
      const { desired, diagnostics } = await validateRepo(directorySource(scratch));
      expect(desired).toBeUndefined();
      expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`)).toEqual([
        'pools/dangling.yaml:1:1 this is a symbolic link to missing.yaml, which does not exist',
        'pools/dir.yaml:1:1 this is a directory, not a file',
        'pools/loop.yaml:1:1 this is a symbolic link that loops back on itself',
        'pools/pipe.yaml:1:1 this is a named pipe (FIFO), not a file',
        `pools/stolen.yaml:1:1 this is a symbolic link to ${join(outside, 'stolen.yaml')}, which leaves the repository; only links that resolve inside it are followed`,
      ]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('refuses a pools folder that is a link leaving the repository', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'navarch-config-bad-'));
    try {
      await writeFile(join(scratch, 'navarch.yaml'), NAVARCH);
      await symlink(outside, join(scratch, 'pools'));
      const { diagnostics } = await validateRepo(directorySource(scratch));
      expect(diagnostics.map((d) => `${d.file} ${d.message}`)).toEqual([
        `pools this is a symbolic link to ${outside}, which leaves the repository; only links that resolve inside it are followed`,
      ]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a device', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'navarch-config-dev-'));
    try {
      await writeFile(join(scratch, 'navarch.yaml'), NAVARCH);
      await mkdir(join(scratch, 'pools'));
      execFileSync('mknod', [join(scratch, 'pools', 'null.yaml'), 'c', '1', '3']);
      const { diagnostics } = await validateRepo(directorySource(scratch));
      expect(diagnostics.map((d) => `${d.file} ${d.message}`)).toEqual(['pools/null.yaml this is a device, not a file']);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('the repository directory itself', () => {
  it('says a directory does not exist, a file is not a directory, and how to start a missing navarch.yaml', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'navarch-config-root-'));
    try {
      await writeFile(join(scratch, 'file'), 'x');
      await expect(validateRepo(directorySource(join(scratch, 'nope')))).rejects.toThrow(`directory ${join(scratch, 'nope')} does not exist`);
      await expect(validateRepo(directorySource(join(scratch, 'file')))).rejects.toThrow(`${join(scratch, 'file')} is a file, not a directory`);
      await expect(validateRepo(directorySource(scratch))).rejects.toThrow(`no navarch.yaml in ${scratch}; run \`navarch init ${scratch}\` to start one`);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
