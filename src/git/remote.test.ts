/** The git layer against a real `git http-backend`: fetch, read at a commit, compare-and-swap pushes, auth errors. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../test/helpers/git-server.js';
import { commitSymlinks, remoteFor, tempDirs } from '../../test/helpers/git-fixtures.js';
import { loadDesired, validateRepo } from '../config/index.js';
import { clearSecrets } from '../model/index.js';
import { DEFAULT_AUTHOR } from './author.js';
import { commitSource } from './commit-source.js';
import { configCommit, readTextAt } from './objects.js';
import { commitFile } from './publish.js';

const TOKEN = 'tok_remote_test_123456';
let server: GitServer;
const dirs = tempDirs();
let n = 0;
const repoName = (): string => `r${++n}`;

beforeAll(async () => {
  server = await startGitServer({ token: TOKEN });
});
afterAll(async () => {
  await server.close();
  await dirs.cleanup();
});
afterEach(() => clearSecrets());

const FILES = {
  'navarch.yaml': 'fleet: research\nproviders:\n  local:\n    type: fake\n',
  'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nmin_nodes: 1\nmax_nodes: 2\n',
  'pools/notes.txt': 'not yaml\n',
  'README.md': 'hello\n',
};

describe('fetch and read at a commit', () => {
  it('fetches the default branch and reads the config at that commit without a checkout', async () => {
    const name = repoName();
    const sha = await server.createRepo(name, FILES, { branch: 'trunk' });
    const remote = await remoteFor(server, name, await dirs.make(), { token: TOKEN });
    const head = await remote.fetchBranch(undefined);
    expect(head).toEqual({ branch: 'trunk', oid: sha });
    const source = commitSource(remote.store, sha, 'http://host/org/research');
    expect(await source.list('')).toEqual(['README.md', 'navarch.yaml', 'pools']);
    expect(await source.list('pools')).toEqual(['pools/notes.txt', 'pools/train.yaml']);
    expect(await source.list('jobs')).toEqual([]);
    expect(await source.read('pools/missing.yaml')).toBeUndefined();
    const desired = await loadDesired(source, { commit: sha });
    expect(desired.pools.map((p) => p.name)).toEqual(['train']);
    expect(desired.commit).toBe(sha);
  });

  it('reads an older commit exactly as it was', async () => {
    const name = repoName();
    const first = await server.createRepo(name, FILES);
    await server.commit(name, { 'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nmin_nodes: 2\nmax_nodes: 2\n' }, 'grow train');
    const remote = await remoteFor(server, name, await dirs.make(), { token: TOKEN });
    await remote.fetchBranch('main');
    expect(await commitSource(remote.store, first, 'x').read('pools/train.yaml')).toContain('min_nodes: 1');
  });

  it('follows symbolic links that resolve inside the commit and refuses, by name, those that leave it', async () => {
    const name = repoName();
    await server.createRepo(name, { ...FILES, 'shared/infer.yaml': FILES['pools/train.yaml'], 'shared/jobs/tune.yaml': 'gpu: h100\nrun: python tune.py\n', 'pools/old.yaml/a': 'x\n' });
    const sha = await commitSymlinks(server, name, { 'pools/infer.yaml': '../shared/infer.yaml', 'jobs': 'shared/jobs' }, 'link pools');
    const remote = await remoteFor(server, name, await dirs.make(), { token: TOKEN });
    await remote.fetchBranch('main');
    const source = commitSource(remote.store, sha, 'http://host/org/research');
    expect(await source.read('pools/infer.yaml')).toBe(FILES['pools/train.yaml']);
    expect(await source.list('jobs')).toEqual(['jobs/tune.yaml']);
    await expect(source.read('pools/old.yaml')).rejects.toThrow('pools/old.yaml is a directory, not a file');
    const { diagnostics } = await validateRepo(source);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`)).toEqual(['pools/old.yaml:1:1 this is a directory, not a file']);
    const fixed = await server.commit(name, { 'pools/old.yaml/a': null }, 'drop the folder');
    await remote.fetchBranch('main');
    const desired = await loadDesired(commitSource(remote.store, fixed, 'http://host/org/research'));
    expect([desired.pools.map((p) => p.name), desired.jobs.map((j) => j.name)]).toEqual([['infer', 'train'], ['tune']]);

    const bad = await commitSymlinks(
      server,
      name,
      { 'pools/old.yaml': '../../outside.yaml', 'pools/abs.yaml': '/etc/passwd', 'pools/dangling.yaml': 'nowhere.yaml', 'pools/loop.yaml': 'loop.yaml', 'jobs': '..' },
      'links that leave',
    );
    await remote.fetchBranch('main');
    const after = await validateRepo(commitSource(remote.store, bad, 'http://host/org/research'));
    expect(after.diagnostics.map((d) => `${d.file} ${d.message}`)).toEqual([
      'pools/abs.yaml this is a symbolic link to /etc/passwd, which leaves the repository; only links that resolve inside it are followed',
      'pools/dangling.yaml this is a symbolic link to nowhere.yaml, which does not exist in the repository',
      'pools/loop.yaml this is a symbolic link that loops back on itself',
      'pools/old.yaml this is a symbolic link to ../../outside.yaml, which leaves the repository; only links that resolve inside it are followed',
      'jobs this is a symbolic link to .., which leaves the repository; only links that resolve inside it are followed',
    ]);
  });

  it('fetches only what is new on the next fetch', async () => {
    const name = repoName();
    await server.createRepo(name, FILES);
    const remote = await remoteFor(server, name, await dirs.make(), { token: TOKEN });
    await remote.fetchBranch('main');
    const next = await server.commit(name, { 'README.md': 'hello again\n' }, 'docs');
    expect((await remote.fetchBranch('main')).oid).toBe(next);
    expect(await readTextAt(remote.store, next, 'README.md')).toBe('hello again\n');
  });

  it('names the branch, the repository and the token in its errors, never the token itself', async () => {
    const name = repoName();
    await server.createRepo(name, FILES);
    const cache = await dirs.make();
    await expect((await remoteFor(server, name, cache, { token: TOKEN })).fetchBranch('nope')).rejects.toMatchObject({
      code: 'git.ref-not-found',
      message: expect.stringContaining('has no branch "nope"'),
    });
    const anonymous = await remoteFor(server, name, cache);
    await expect(anonymous.fetchBranch('main')).rejects.toMatchObject({ code: 'git.auth', message: expect.stringMatching(/HTTP 401.*NAVARCH_GIT_TOKEN/) });
    const wrong = await remoteFor(server, name, cache, { token: 'tok_wrong_but_long_enough' });
    const err = await wrong.fetchBranch('main').then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/refused the credentials/);
    expect(JSON.stringify(err)).not.toContain('tok_wrong_but_long_enough');
    await expect((await remoteFor(server, 'missing', cache, { token: TOKEN })).fetchBranch('main')).rejects.toMatchObject({ code: 'git.not-found' });
  });
});

describe('a remote whose HEAD names a missing branch', () => {
  it('fetches named branches and refs as usual; only the default branch fails, saying why', async () => {
    const name = repoName();
    const sha = await server.createRepo(name, FILES);
    await server.git(name, ['update-ref', 'refs/navarch/other', sha]);
    await server.git(name, ['symbolic-ref', 'HEAD', 'refs/heads/nope']);
    const remote = await remoteFor(server, name, await dirs.make(), { token: TOKEN });
    expect(await remote.fetchBranch('main')).toEqual({ branch: 'main', oid: sha });
    expect(await remote.fetchBranch('refs/heads/main')).toEqual({ branch: 'main', oid: sha });
    const fresh = await remoteFor(server, name, await dirs.make(), { token: TOKEN });
    expect(await fresh.fetchRef('refs/navarch/other')).toBe(sha);
    expect(await fresh.has(sha)).toBe(true);
    await expect(remote.fetchBranch('nope')).rejects.toMatchObject({ code: 'git.ref-not-found', message: expect.stringContaining('has no branch "nope"') });
    await expect(remote.fetchBranch(undefined)).rejects.toMatchObject({
      code: 'git.ref-not-found',
      message: expect.stringContaining('(its HEAD) names a branch that does not exist; name the branch with --ref'),
    });
  });
});

describe('compare-and-swap pushes', () => {
  it('pushes when the ref is where we expect it, and refuses when it moved', async () => {
    const name = repoName();
    const base = await server.createRepo(name, FILES);
    const remote = await remoteFor(server, name, await dirs.make(), { token: TOKEN });
    await remote.fetchBranch('main');
    const mine = (await commitFile(remote.store, base, 'status/fleet.yaml', 'a: 1\n', 'status', DEFAULT_AUTHOR, Date.now())) as string;
    await server.commit(name, { 'README.md': 'moved\n' }, 'human');
    await expect(remote.push('refs/heads/main', mine, base)).rejects.toMatchObject({ code: 'git.push-rejected' });
    const head = (await remote.fetchBranch('main')).oid;
    const rebased = (await commitFile(remote.store, head, 'status/fleet.yaml', 'a: 1\n', 'status', DEFAULT_AUTHOR, Date.now())) as string;
    await remote.push('refs/heads/main', rebased, head);
    expect((await server.git(name, ['rev-parse', 'main'])).trim()).toBe(rebased);
  });

  it('creates a ref only if it does not exist, and deletes it only at the expected value', async () => {
    const name = repoName();
    const base = await server.createRepo(name, FILES);
    const remote = await remoteFor(server, name, await dirs.make(), { token: TOKEN });
    await remote.fetchBranch('main');
    await remote.push('refs/navarch/test', base, undefined);
    await expect(remote.push('refs/navarch/test', base, undefined)).rejects.toMatchObject({ code: 'git.push-rejected' });
    const other = (await commitFile(remote.store, base, 'x', 'x\n', 'x', DEFAULT_AUTHOR, Date.now())) as string;
    await expect(remote.delete('refs/navarch/test', other)).rejects.toMatchObject({ code: 'git.push-rejected' });
    expect(await remote.lsRef('refs/navarch/test')).toBe(base);
    await remote.delete('refs/navarch/test', base);
    expect(await remote.lsRef('refs/navarch/test')).toBeUndefined();
  });
});

describe('configCommit', () => {
  it('skips commits that only change the status file', async () => {
    const name = repoName();
    const first = await server.createRepo(name, FILES);
    await server.commit(name, { 'status/fleet.yaml': 'one\n' }, 'status 1');
    await server.commit(name, { 'status/fleet.yaml': 'two\n' }, 'status 2');
    const remote = await remoteFor(server, name, await dirs.make(), { token: TOKEN });
    expect(await configCommit(remote.store, (await remote.fetchBranch('main')).oid, 'status/fleet.yaml')).toBe(first);
    const config = await server.commit(name, { 'pools/train.yaml': 'changed: true\n' }, 'config');
    await server.commit(name, { 'status/fleet.yaml': 'three\n' }, 'status 3');
    expect(await configCommit(remote.store, (await remote.fetchBranch('main')).oid, 'status/fleet.yaml')).toBe(config);
    // Removing the status file is a status-only change too.
    await server.commit(name, { 'status/fleet.yaml': null }, 'drop status');
    expect(await configCommit(remote.store, (await remote.fetchBranch('main')).oid, 'status/fleet.yaml')).toBe(config);
  });
});
