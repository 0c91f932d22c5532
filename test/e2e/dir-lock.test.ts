/**
 * One applier per directory: two `navarch apply --dir` processes on one config directory take
 * turns through the lock in its `.navarch/`, as applies on a remote do through the lock ref.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFakeState } from '../../src/providers/fake/index.js';
import { parseStatus } from '../../src/status/index.js';
import { collect, pasteInShell, printedCommand, removeDir, ROOT, runCli, spawnCli } from '../helpers/cli.js';

let dir: string;
let elsewhere: string;
beforeEach(async () => {
  // A space in the path: the printed force-unlock command must survive being pasted into a shell.
  dir = await mkdtemp(join(tmpdir(), 'navarch dir lock-'));
  await cp(join(ROOT, 'examples/quickstart'), dir, { recursive: true, filter: (src) => !src.includes('/.navarch') && !src.endsWith('/status') });
  elsewhere = await mkdtemp(join(tmpdir(), 'navarch-not-a-checkout-'));
});
afterEach(async () => {
  await removeDir(dir);
  await removeDir(elsewhere);
});

/** A slow cloud keeps an apply holding the lock for a while. */
async function latency(value: string): Promise<void> {
  const file = join(dir, 'navarch.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('latency: 300ms', `latency: ${value}`));
}

const lockFile = () => join(dir, '.navarch/lock.json');
const live = async () => (await readFakeState(dir)).instances.filter((i) => i.state !== 'terminated');
const status = async () => parseStatus(await readFile(join(dir, 'status/fleet.yaml'), 'utf8'), 'status');

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const LOCKED = /error: fleet "quickstart" is locked by \S+@\S+ pid \d+ \(navarch apply\) since .*lock id [0-9a-f-]{36}\. Wait for it with --lock-timeout DURATION, or, if that run is dead, clear it with `navarch force-unlock [0-9a-f-]{36} --dir '[^']+'`/;

describe('apply --dir: one applier per directory', () => {
  it('of two applies started together with --lock-timeout, one acts, the other waits and finds nothing left; the status keeps both', async () => {
    await latency('2s');
    const args = ['apply', '--dir', dir, '--auto-approve', '--lock-timeout', '2m'];
    const runs = await Promise.all([runCli(args), runCli(args)]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs.filter((r) => r.stdout.includes('Apply complete! Resources: 3 added'))).toHaveLength(1);
    expect(runs.filter((r) => r.stdout.includes('No changes. Your fleet matches the configuration.'))).toHaveLength(1);
    expect(runs.filter((r) => r.stderr.includes('Waiting for the fleet lock, held by'))).toHaveLength(1);
    expect(await live()).toHaveLength(3);
    const s = await status();
    expect(s.history.map((h) => h.result)).toEqual(['no-changes', 'applied']);
    expect(s.events.filter((e) => e.result === 'ok')).toHaveLength(3);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('without --lock-timeout, the second fails with the lock message and changes nothing', async () => {
    await latency('4s');
    const first = collect(spawnCli(['apply', '--dir', dir, '--auto-approve']));
    await until(() => existsSync(lockFile()), 'the first apply to take the lock');
    const second = await runCli(['apply', '--dir', dir, '--auto-approve']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(LOCKED);
    expect(second.stdout).toBe('');
    const won = await first;
    expect(won.code).toBe(0);
    expect(won.stdout).toContain('Apply complete! Resources: 3 added');
    expect(await live()).toHaveLength(3);
    expect((await status()).history).toHaveLength(1);
  });

  it('a killed apply does not keep the next one out', async () => {
    await latency('30s');
    const child = spawnCli(['apply', '--dir', dir, '--auto-approve']);
    const done = collect(child);
    await until(async () => (await live()).length === 3, 'the first apply to launch its nodes');
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    expect(existsSync(lockFile())).toBe(true);
    await latency('0s');
    const next = await runCli(['apply', '--dir', dir, '--auto-approve']);
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(/^Took over the fleet lock of a run that is no longer running \(\S+@\S+ pid \d+ \(navarch apply\)/);
    expect(await live()).toHaveLength(3);
  });

  it('clears the lock of a hung run with the force-unlock command it printed, pasted as is', async () => {
    await latency('30s');
    const child = spawnCli(['apply', '--dir', dir, '--auto-approve']);
    const done = collect(child);
    await until(async () => (await live()).length === 3, 'the first apply to launch its nodes');
    child.kill('SIGSTOP'); // alive but going nowhere: its lock is neither expired nor abandoned
    try {
      const blocked = await runCli(['apply', '--dir', dir, '--auto-approve']);
      expect(blocked.code).toBe(1);
      expect(blocked.stderr, blocked.stderr).toMatch(LOCKED);
      const pasted = await pasteInShell(printedCommand(blocked.stderr, 'navarch force-unlock'), { cwd: elsewhere });
      expect(pasted.stderr).toBe('');
      expect(pasted.code).toBe(0);
      expect(pasted.stdout).toMatch(/^Removed the fleet lock on .*\.navarch\/lock\.json: \S+@\S+ pid \d+ \(navarch apply\)/);
      expect(existsSync(lockFile())).toBe(false);
      await latency('0s');
      const after = await runCli(['apply', '--dir', dir, '--auto-approve']);
      expect(after.code).toBe(0);
      expect(await live()).toHaveLength(3);
    } finally {
      child.kill('SIGKILL');
      await done;
    }
  });
});
