/** The fleet lock against a real git server; time moves only when the test says so. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGitServer, type GitServer } from '../../test/helpers/git-server.js';
import { remoteFor, tempDirs } from '../../test/helpers/git-fixtures.js';
import { ManualClock } from '../model/index.js';
import { DEFAULT_AUTHOR } from './author.js';
import { acquireLock, forceUnlock, LockBusyError, readLock, type AcquireOptions } from './lock.js';
import { refLockStore, type LockStore } from './lock-store.js';

let server: GitServer;
const dirs = tempDirs();
let n = 0;
const REF = 'refs/navarch/locks/research';

beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.close();
  await dirs.cleanup();
});

/** Two processes' views of one lock ref: each its own clone of the repository. */
async function setup(): Promise<{ a: LockStore; b: LockStore; clock: ManualClock; name: string }> {
  const name = `lock${++n}`;
  await server.createRepo(name, { 'navarch.yaml': 'fleet: research\n' });
  const clock = new ManualClock();
  const store = async (): Promise<LockStore> => refLockStore(await remoteFor(server, name, await dirs.make(), { clock }), REF, { author: DEFAULT_AUTHOR, clock });
  return { a: await store(), b: await store(), clock, name };
}

const opts = (store: LockStore, clock: ManualClock, holder: string, extra: Partial<AcquireOptions> = {}): AcquireOptions => ({
  store,
  clock,
  fleet: 'research',
  holder,
  command: 'navarch apply',
  ttlMs: 60_000,
  random: () => 0.5,
  ...extra,
});

describe('fleet lock', () => {
  it('is held by one process at a time; the other is told who holds it and how to clear it', async () => {
    const { a, b, clock } = await setup();
    const held = await acquireLock(opts(a, clock, 'alice@laptop pid 1'));
    const err = (await acquireLock(opts(b, clock, 'bob@ci pid 2')).catch((e: unknown) => e)) as LockBusyError;
    expect(err).toBeInstanceOf(LockBusyError);
    expect(err.message).toContain('locked by alice@laptop pid 1 (navarch apply)');
    expect(err.message).toContain(`navarch force-unlock ${held.id}`);
    expect(err.message).toContain('--lock-timeout');
    expect(await held.release()).toBe(true);
    expect(await readLock(a)).toBeUndefined();
    const next = await acquireLock(opts(b, clock, 'bob@ci pid 2'));
    expect((await readLock(a))?.info.holder).toBe('bob@ci pid 2');
    await next.release();
  });

  it('of two acquiring at once, exactly one wins', async () => {
    const { a, b, clock } = await setup();
    const results = await Promise.allSettled([acquireLock(opts(a, clock, 'a')), acquireLock(opts(b, clock, 'b'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(LockBusyError);
  });

  it('waits up to --lock-timeout for the holder to finish', async () => {
    const { a, b, clock } = await setup();
    const held = await acquireLock(opts(a, clock, 'a'));
    const waits: string[] = [];
    const waiting = acquireLock(opts(b, clock, 'b', { timeoutMs: 30_000, onWait: (l) => waits.push(l.holder) }));
    await vi.waitFor(() => expect(clock.pending).toBe(1));
    await held.release();
    clock.advance(1_500);
    const got = await waiting;
    expect(waits).toEqual(['a']);
    expect(got.info.holder).toBe('b');
  });

  it('gives up waiting after the timeout', async () => {
    const { a, b, clock } = await setup();
    await acquireLock(opts(a, clock, 'a'));
    const waiting = acquireLock(opts(b, clock, 'b', { timeoutMs: 3_000 })).catch((e: unknown) => e);
    for (let i = 0; i < 2; i++) {
      await vi.waitFor(() => expect(clock.pending).toBe(1));
      clock.advance(1_500);
    }
    expect(await waiting).toBeInstanceOf(LockBusyError);
    expect(((await waiting) as Error).message).toMatch(/waited 3s/);
  });

  it('renews the expiry every third of its lifetime while the holder works', async () => {
    const { a, b, clock } = await setup();
    const held = await acquireLock(opts(a, clock, 'a'));
    held.startHeartbeat();
    const before = held.info.expires;
    await vi.waitFor(() => expect(clock.pending).toBe(1));
    clock.advance(20_000);
    await vi.waitFor(async () => expect((await readLock(b))?.info.expires).toBe(new Date(Date.parse(before) + 20_000).toISOString()));
    expect(await held.release()).toBe(true);
  });

  it('is taken over once expired when its holder stopped renewing, and the old holder finds it lost', async () => {
    const { a, b, clock } = await setup();
    const dead = await acquireLock(opts(a, clock, 'dead@host pid 9')); // never renewed: as if killed
    clock.advance(59_000);
    await expect(acquireLock(opts(b, clock, 'b'))).rejects.toBeInstanceOf(LockBusyError);
    clock.advance(2_000);
    const taken: string[] = [];
    const next = await acquireLock(opts(b, clock, 'b', { onTakeOver: (l) => taken.push(l.id) }));
    expect(taken).toEqual([dead.id]);
    await expect(dead.renew()).rejects.toMatchObject({ code: 'git.lock-lost' });
    expect(dead.lost.aborted).toBe(true);
    expect(await dead.release()).toBe(false);
    expect((await readLock(a))?.info.id).toBe(next.id);
  });

  it('is lost when someone force-unlocks it; release then deletes nothing', async () => {
    const { a, b, clock } = await setup();
    const held = await acquireLock(opts(a, clock, 'a'));
    await expect(forceUnlock(b, 'not-the-id')).rejects.toMatchObject({ code: 'git.lock-mismatch', message: expect.stringContaining(held.id) });
    expect((await forceUnlock(b, held.id)).holder).toBe('a');
    await expect(forceUnlock(b, held.id)).rejects.toMatchObject({ code: 'git.not-locked' });
    const other = await acquireLock(opts(b, clock, 'b'));
    held.startHeartbeat();
    await vi.waitFor(() => expect(clock.pending).toBeGreaterThan(0));
    clock.advance(20_000);
    await vi.waitFor(() => expect(held.lost.aborted).toBe(true));
    expect(await held.release()).toBe(false);
    expect((await readLock(a))?.info.id).toBe(other.id);
  });

  it('treats an unreadable lock as held until a person clears it', async () => {
    const { a, b, clock, name } = await setup();
    const head = (await server.git(name, ['rev-parse', 'main'])).trim();
    await server.git(name, ['update-ref', REF, head]);
    const err = (await acquireLock(opts(a, clock, 'a')).catch((e: unknown) => e)) as LockBusyError;
    expect(err.message).toContain('unknown (unreadable lock.json)');
    await forceUnlock(b, head);
    await (await acquireLock(opts(a, clock, 'a'))).release();
  });
});
