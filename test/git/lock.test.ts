/** The fleet lock from the command line: concurrent appliers, a killed holder, force-unlock. */
import { describe, expect, it } from 'vitest';
import { fakeCloudAdmin } from '../../src/providers/fake/index.js';
import { parseStatus } from '../../src/status/index.js';
import { collect, pasteInShell, printedCommand } from '../helpers/cli.js';
import { gitSuite, TOKEN, until, type Fleet } from './setup.js';

const fx = gitSuite();

const applied = async (f: Fleet): Promise<number> =>
  parseStatus(await f.server.git(f.name, ['show', 'main:status/fleet.yaml']), 'status').history.filter((h) => h.result === 'applied').length;

/** Starts an apply that holds the lock while its provisioning keeps failing, then kills it. */
async function killHolder(f: Fleet, args: string[] = []): Promise<void> {
  const admin = fakeCloudAdmin('/', f.stateFile);
  await admin.injectFailure({ op: 'provision', error: 'transient' });
  const child = f.spawn(['apply', '--auto-approve', ...args]);
  const done = collect(child);
  await until(async () => (await f.lockRefs()) !== '', 'the first run to take the lock');
  child.kill('SIGKILL');
  expect((await done).signal).toBe('SIGKILL');
  await admin.clearFailures();
  expect(await f.lockRefs()).toBe('refs/navarch/locks/research');
}

describe('fleet lock (CLI)', () => {
  it('lets one of two appliers started together act; the other fails clearly; nothing is provisioned twice', async () => {
    const f = await fx.fleet();
    // Slow provisioning keeps the winner holding the lock while the other arrives.
    await fakeCloudAdmin('/', f.stateFile).injectFailure({ op: 'provision', error: 'transient', times: 2 });
    const runs = await Promise.all([collect(f.spawn(['apply', '--auto-approve'])), collect(f.spawn(['apply', '--auto-approve']))]);
    const winners = runs.filter((r) => r.stdout.includes('Apply complete! Resources: 2 added'));
    expect(winners).toHaveLength(1);
    expect(winners[0]?.code).toBe(0);
    for (const r of runs.filter((x) => x.code !== 0)) {
      expect(r.stderr).toMatch(/error: fleet "research" is locked by \S+@\S+ pid \d+ \(navarch apply\) since .*lock id [0-9a-f-]{36}.*--lock-timeout.*navarch force-unlock [0-9a-f-]{36}/);
    }
    expect(await f.live()).toHaveLength(2);
    expect(await applied(f)).toBe(1);
    expect(await f.lockRefs()).toBe('');
  });

  it('with --lock-timeout, the second applier waits, then finds nothing left to do', async () => {
    const f = await fx.fleet();
    await fakeCloudAdmin('/', f.stateFile).injectFailure({ op: 'provision', error: 'transient', times: 2 });
    const args = ['apply', '--auto-approve', '--lock-timeout', '2m'];
    const runs = await Promise.all([collect(f.spawn(args)), collect(f.spawn(args))]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs.filter((r) => r.stdout.includes('Apply complete! Resources: 2 added'))).toHaveLength(1);
    expect(runs.filter((r) => r.stdout.includes('No changes.'))).toHaveLength(1);
    expect(await f.live()).toHaveLength(2);
    expect(await applied(f)).toBe(1);
  });

  it('takes over the lock of a killed run once it expires', async () => {
    const f = await fx.fleet();
    await killHolder(f, ['--lock-ttl', '2s']);
    const r = await f.cli(['apply', '--auto-approve', '--lock-timeout', '1m']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Took over an expired fleet lock \(\S+@\S+ pid \d+ \(navarch apply\) since .*expired .* ago/);
    expect(r.stdout).toContain('Apply complete! Resources: 2 added');
    expect(await f.live()).toHaveLength(2);
    expect(await f.lockRefs()).toBe('');
  });

  it('clears a dead run\'s lock with force-unlock, only when given its id', async () => {
    const f = await fx.fleet();
    expect((await f.cli(['apply', '--auto-approve'])).code).toBe(0);
    await f.server.commit(f.name, { 'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 3\nmax_nodes: 8\n' }, 'Grow train');
    await killHolder(f);
    const status = await f.cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Locked by \S+@\S+ pid \d+ \(navarch apply\) since .*lock id [0-9a-f-]{36}\./);
    expect(status.stdout).toContain('The configuration changed since this status was written');
    const blocked = await f.cli(['apply', '--auto-approve']);
    expect(blocked.code).toBe(1);
    const id = /navarch force-unlock ([0-9a-f-]{36})/.exec(blocked.stderr)?.[1] ?? '';
    expect(status.stdout).toContain(id);
    const wrong = await f.cli(['force-unlock', '00000000-0000-4000-8000-000000000000']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`refusing to unlock: the current lock on refs/navarch/locks/research has id ${id}`);
    const ok = await f.cli(['force-unlock', id]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`Removed the fleet lock on refs/navarch/locks/research:`);
    expect(await f.lockRefs()).toBe('');
    const again = await f.cli(['apply', '--auto-approve']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Apply complete! Resources: 1 added');
    expect(await f.live()).toHaveLength(3);
  });

  it('prints a force-unlock command that works pasted as is, anywhere, and shows no credentials', async () => {
    const f = await fx.fleet();
    await killHolder(f);
    const withCredentials = f.url.replace('://', `://x-access-token:${TOKEN}@`);
    const blocked = await f.cli(['apply', '--auto-approve', '--repo', withCredentials], { repo: false, env: { NAVARCH_GIT_TOKEN: '' } });
    expect(blocked.code).toBe(1);
    const command = printedCommand(blocked.stderr, 'navarch force-unlock');
    expect(command).toMatch(new RegExp(`^navarch force-unlock [0-9a-f-]{36} --repo ${f.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --fleet research$`));
    expect(blocked.stderr).not.toContain(TOKEN);
    // Outside any git checkout, with the token where every --repo command reads it.
    const cwd = await fx.tempDir('navarch-elsewhere-');
    const pasted = await pasteInShell(command, { cwd, env: f.env });
    expect(pasted.stderr).toBe('');
    expect(pasted.code).toBe(0);
    expect(pasted.stdout).toContain('Removed the fleet lock on refs/navarch/locks/research:');
    expect(await f.lockRefs()).toBe('');
  });
});
