/** `navarch force-unlock` on a directory: says what it needs in its own words, and clears only the lock it is given. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, directoryLockStore } from '../git/index.js';
import { systemClock } from '../model/index.js';
import { runCommand } from './testing.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-force-unlock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The lock an apply on `dir` takes, held by this (live) process. */
const lockDir = () => acquireLock({ store: directoryLockStore(dir), clock: systemClock, fleet: 'research', holder: 'alice@laptop pid 1', command: 'navarch apply' });

describe('navarch force-unlock --dir', () => {
  it('outside a git checkout with no lock, says where it looked and what to run instead (nothing about --commit)', async () => {
    const r = await runCommand(['force-unlock', '0f6e2c1a-0000-4000-8000-000000000000'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`nothing to unlock in ${dir}: it has no .navarch/lock.json (the lock an apply on that directory takes), and it is not a git clone`);
    expect(r.err).toContain('`navarch force-unlock LOCK_ID --repo URL`');
    expect(r.err).not.toContain('--commit');
  });

  it('without a lock id, names the lock and the exact command that clears it', async () => {
    const held = await lockDir();
    const r = await runCommand(['force-unlock', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('force-unlock needs the id of the lock to clear');
    expect(r.err).toContain('the fleet is locked by alice@laptop pid 1 (navarch apply)');
    expect(r.err).toContain(`\`navarch force-unlock ${held.id} --dir ${dir}\``);
    expect(existsSync(join(dir, '.navarch/lock.json'))).toBe(true);
  });

  it('refuses another id, clears the given one, and the holder finds its lock gone', async () => {
    const held = await lockDir();
    const wrong = await runCommand(['force-unlock', '00000000-0000-4000-8000-000000000000', '--dir', dir]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`refusing to unlock: the current lock on ${join(dir, '.navarch/lock.json')} has id ${held.id}`);
    const ok = await runCommand(['force-unlock', held.id, '--dir', dir, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).removed).toMatchObject({ id: held.id, holder: 'alice@laptop pid 1', pid: process.pid });
    expect(existsSync(join(dir, '.navarch/lock.json'))).toBe(false);
    await expect(held.renew()).rejects.toMatchObject({ code: 'git.lock-lost' });
    expect(await held.release()).toBe(false);
  });
});
