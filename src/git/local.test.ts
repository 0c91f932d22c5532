/** Local mode: the status committed on the checked-out branch of a working clone, and pushed upstream. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit, startGitServer, type GitServer } from '../../test/helpers/git-server.js';
import { tempDirs } from '../../test/helpers/git-fixtures.js';
import { ManualClock } from '../model/index.js';
import { DEFAULT_AUTHOR } from './author.js';
import { LocalRepo } from './local.js';
import { localTarget } from './target.js';

let server: GitServer;
const dirs = tempDirs();
let n = 0;
const clock = new ManualClock();
const ctx = { env: {}, clock, author: DEFAULT_AUTHOR };
const ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com' };

beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.close();
  await dirs.cleanup();
});

/** A clone of a new server repository whose config lives in `sub` (the repo root when empty). */
async function clone(sub = ''): Promise<{ name: string; work: string; dir: string }> {
  const name = `local${++n}`;
  const prefix = sub ? `${sub}/` : '';
  await server.createRepo(name, { [`${prefix}navarch.yaml`]: 'fleet: research\n', [`${prefix}pools/train.yaml`]: 'x: 1\n', 'README.md': 'hi\n' });
  const work = join(await dirs.make(), 'clone');
  await runGit(['clone', '--quiet', server.repoUrl(name), work]);
  return { name, work, dir: sub ? join(work, sub) : work };
}

const porcelain = (work: string): Promise<string> => runGit(['status', '--porcelain'], { cwd: work });

describe('local mode', () => {
  it('commits only the status file on the checked-out branch, leaving index and tree clean', async () => {
    const { work, dir } = await clone('fleet');
    const target = await localTarget(dir, false, ctx);
    const snap = await target.sync();
    expect(await snap.desiredCommit('status/fleet.yaml')).toBe(snap.head);
    await mkdir(join(dir, 'status'), { recursive: true });
    await writeFile(join(dir, 'status/fleet.yaml'), 'status: 1\n');
    await writeFile(join(work, 'scratch.txt'), 'untracked, not ours\n');
    const out = await target.publish(snap, 'status/fleet.yaml', 'status: 1\n', 'navarch: status [skip ci]');
    expect(out).toMatchObject({ changed: true, pushed: false });
    expect((await runGit(['log', '-1', '--format=%s|%an|%P'], { cwd: work })).trim()).toBe(`navarch: status [skip ci]|navarch|${snap.head}`);
    expect(await runGit(['show', 'HEAD:fleet/status/fleet.yaml'], { cwd: work })).toBe('status: 1\n');
    expect(await porcelain(work)).toBe('?? scratch.txt\n');
    // The next run finds the config commit behind the status commit.
    const again = await target.sync();
    expect(await again.desiredCommit('status/fleet.yaml')).toBe(snap.head);
    expect((await target.publish(again, 'status/fleet.yaml', 'status: 1\n', 'x')).changed).toBe(false);
  });

  it('refuses to name a commit for config that is not committed', async () => {
    const { dir } = await clone();
    await writeFile(join(dir, 'pools/train.yaml'), 'x: 2\n');
    await writeFile(join(dir, 'pools/serve.yaml'), 'x: 3\n');
    const snap = await (await localTarget(dir, false, ctx)).sync();
    await expect(snap.desiredCommit('status/fleet.yaml')).rejects.toMatchObject({
      code: 'git.dirty',
      message: expect.stringMatching(/uncommitted changes in pools\/serve.yaml, pools\/train.yaml/),
    });
  });

  it('refuses a detached HEAD and a directory outside any repository', async () => {
    const { work } = await clone();
    await runGit(['checkout', '--quiet', '--detach'], { cwd: work });
    await expect((await LocalRepo.open(work)).branch()).rejects.toMatchObject({ code: 'git.detached' });
    await expect(LocalRepo.open(await dirs.make())).rejects.toMatchObject({ code: 'git.not-a-repo' });
  });

  it('pushes to the upstream, and when it moved, pushes the status on its new head and leaves the clone to pull', async () => {
    const { name, work, dir } = await clone();
    const target = await localTarget(dir, true, ctx);
    // As apply does: the status is on disk before it is committed.
    const write = async (text: string): Promise<void> => {
      await mkdir(join(dir, 'status'), { recursive: true });
      await writeFile(join(dir, 'status/fleet.yaml'), text);
    };
    let snap = await target.sync();
    await write('status: 1\n');
    const first = await target.publish(snap, 'status/fleet.yaml', 'status: 1\n', 'navarch: one');
    expect(first).toMatchObject({ pushed: true, note: undefined });
    expect((await server.git(name, ['rev-parse', 'main'])).trim()).toBe(first.commit);

    const human = await server.commit(name, { 'README.md': 'edited upstream\n' }, 'docs');
    snap = await target.sync();
    await write('status: 2\n');
    const second = await target.publish(snap, 'status/fleet.yaml', 'status: 2\n', 'navarch: two');
    expect(second.pushed).toBe(true);
    expect(second.note).toMatch(/git pull/);
    expect((await server.git(name, ['log', '--format=%s', '-3', 'main'])).trim().split('\n')).toEqual(['navarch: two', 'docs', 'navarch: one']);
    expect((await server.git(name, ['rev-parse', 'main^'])).trim()).toBe(human);
    // The clone pulls cleanly: the same change on both sides.
    await runGit(['pull', '--quiet', '--rebase'], { cwd: work, env: ID });
    expect(await runGit(['show', 'HEAD:status/fleet.yaml'], { cwd: work })).toBe('status: 2\n');
  });
});
