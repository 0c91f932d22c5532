import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/helpers/git-fixtures.js';
import { withFileLock } from './cache-lock.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('withFileLock', () => {
  it('lets one holder in at a time and cleans up after itself', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cache.lock');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(path, async () => {
          inside += 1;
          most = Math.max(most, inside);
          await new Promise((r) => setImmediate(r));
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('breaks at once the lock of a holder that died on this machine', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cache.lock');
    await writeFile(path, JSON.stringify({ pid: deadPid(), host: (await import('node:os')).hostname() }));
    expect(await withFileLock(path, async () => 'got it', { timeoutMs: 1_000 })).toBe('got it');
    expect(existsSync(path)).toBe(false);
  });

  it('waits for a live holder, and breaks one on another host only once it is old', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'cache.lock');
    await writeFile(path, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname() }));
    await expect(withFileLock(path, async () => 'no', { timeoutMs: 100 })).rejects.toMatchObject({ code: 'git.cache-locked' });
    await writeFile(path, JSON.stringify({ pid: 1, host: 'elsewhere.example' }));
    await expect(withFileLock(path, async () => 'no', { timeoutMs: 100, staleMs: 60_000 })).rejects.toMatchObject({ code: 'git.cache-locked' });
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    expect(await withFileLock(path, async () => 'yes', { timeoutMs: 1_000, staleMs: 60_000 })).toBe('yes');
  });
});
