/** Status commits pushed against a branch people also push to. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../test/helpers/git-server.js';
import { remoteFor, tempDirs } from '../../test/helpers/git-fixtures.js';
import { ManualClock, type Clock } from '../model/index.js';
import { DEFAULT_AUTHOR } from './author.js';
import { publishFile, type PublishOptions } from './publish.js';
import type { GitRemote } from './remote.js';

let server: GitServer;
const dirs = tempDirs();
let n = 0;
/** A clock whose sleeps return at once (the backoff between pushes is not what is tested). */
const instant: Clock = { now: () => new ManualClock().now(), sleep: async () => undefined };

beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.close();
  await dirs.cleanup();
});

async function setup(): Promise<{ name: string; remote: GitRemote; base: string }> {
  const name = `pub${++n}`;
  const base = await server.createRepo(name, { 'navarch.yaml': 'fleet: research\n', 'status/fleet.yaml': 'old\n' });
  const remote = await remoteFor(server, name, await dirs.make());
  await remote.fetchBranch('main');
  return { name, remote, base };
}

const publish = (remote: GitRemote, base: string, extra: Partial<PublishOptions> = {}) =>
  publishFile({ remote, branch: 'main', base, path: 'status/fleet.yaml', content: 'new\n', message: 'navarch: status [skip ci]', author: DEFAULT_AUTHOR, clock: instant, ...extra });

const log = async (name: string): Promise<string[]> => (await server.git(name, ['log', '--format=%s|%an', 'main'])).trim().split('\n');

describe('publishFile', () => {
  it('commits the file on the head it was computed against and pushes it', async () => {
    const { name, remote, base } = await setup();
    const r = await publish(remote, base);
    expect(r).toMatchObject({ parent: base, attempts: 1, pushed: true });
    expect(await log(name)).toEqual(['navarch: status [skip ci]|navarch', 'Initial fleet configuration|Ada Operator']);
    expect(await server.git(name, ['show', 'main:status/fleet.yaml'])).toBe('new\n');
  });

  it('re-applies only its change on the new head when someone pushed first; both commits survive', async () => {
    const { name, remote, base } = await setup();
    let human = '';
    server.setBeforePush(async (updates) => {
      if (updates[0]?.ref !== 'refs/heads/main' || human) return;
      human = await server.commit(name, { 'pools/train.yaml': 'min_nodes: 3\n' }, 'grow train');
    });
    try {
      const r = await publish(remote, base);
      expect(r).toMatchObject({ parent: human, attempts: 2, pushed: true });
    } finally {
      server.setBeforePush(undefined);
    }
    expect(await log(name)).toEqual(['navarch: status [skip ci]|navarch', 'grow train|Ada Operator', 'Initial fleet configuration|Ada Operator']);
    expect(await server.git(name, ['show', 'main:pools/train.yaml'])).toBe('min_nodes: 3\n');
    expect(await server.git(name, ['show', 'main:status/fleet.yaml'])).toBe('new\n');
  });

  it('gives up after a bounded number of attempts when the branch keeps moving, dropping nobody\'s commit', async () => {
    const { name, remote, base } = await setup();
    let humans = 0;
    server.setBeforePush(async () => {
      humans += 1;
      await server.commit(name, { 'README.md': `edit ${humans}\n` }, `edit ${humans}`);
    });
    try {
      await expect(publish(remote, base, { attempts: 3 })).rejects.toMatchObject({ code: 'git.push-rejected', message: expect.stringContaining('after 3 attempts') });
    } finally {
      server.setBeforePush(undefined);
    }
    expect(humans).toBe(3);
    expect((await log(name)).filter((l) => l.startsWith('edit '))).toHaveLength(3);
    expect(await server.git(name, ['show', 'main:status/fleet.yaml'])).toBe('old\n');
  });

  it('pushes nothing when the branch already holds exactly this content', async () => {
    const { name, remote, base } = await setup();
    const r = await publish(remote, base, { content: 'old\n' });
    expect(r).toEqual({ commit: base, parent: base, attempts: 0, pushed: false });
    expect(await log(name)).toHaveLength(1);
  });
});
