/** `navarch reconcile` and local mode (`--dir --commit --push`) as a user runs them. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeCloudAdmin } from '../../src/providers/fake/index.js';
import { parseStatus } from '../../src/status/index.js';
import { collect, runCli } from '../helpers/cli.js';
import { runGit } from '../helpers/git-server.js';
import { gitSuite, TOKEN, until } from './setup.js';

const fx = gitSuite();

describe('reconcile', () => {
  it('--once converges, then commits nothing while nothing changes, and repairs drift', async () => {
    const f = await fx.fleet();
    const first = await f.cli(['reconcile', '--once']);
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    expect(first.stdout).toMatch(/desired [0-9a-f]{7} \| Plan: 2 to add, 0 to change, 0 to destroy \| 2 ok, 0 failed, 0 skipped \| status pushed as [0-9a-f]{7}/);
    await f.cli(['reconcile', '--once']); // records the first no-change pass
    const commits = (await f.log()).length;
    const quiet = await f.cli(['reconcile', '--once', '--json']);
    expect(quiet.code).toBe(0);
    const record = JSON.parse(quiet.stdout) as { verdict: string; desired_commit: string; status: { changed: boolean } };
    expect(record).toMatchObject({ verdict: 'ok', desired_commit: f.initial, status: { changed: false } });
    expect(await f.log()).toHaveLength(commits);

    // Behind navarch's back: a node deleted, and an instance with the fleet's tags nobody recorded.
    const admin = fakeCloudAdmin('/', f.stateFile);
    const live = await f.live();
    await admin.killInstance(live[0]?.id ?? '');
    const stray = await admin.addForeignInstance({
      provider: 'local',
      tags: { 'navarch-managed-by': 'navarch', 'navarch-fleet': 'research', 'navarch-pool': 'old-experiment', 'navarch-node': 'old-experiment-4' },
    });
    const repair = await f.cli(['reconcile', '--once']);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy | 1 ok');
    expect(repair.stdout).toContain('1 warning');
    expect(repair.stderr).toContain(`warning: instance ${stray.id} (local local-1`);
    expect(repair.stderr).toContain('carries fleet "research" tags but no declared or recorded pool claims it');
    expect((await f.log())[0]).toMatch(/^navarch: 1 added in pool train/);
    const status = parseStatus(await f.server.git(f.name, ['show', 'main:status/fleet.yaml']), 'status');
    expect(status.nodes.map((n) => n.name)).toContain('old-experiment-4');
    expect(status.pools['old-experiment']?.conditions[0]).toMatchObject({ reason: 'Undeclared' });
  });

  it('--once exits 1 when the pass fails, naming why', async () => {
    const f = await fx.fleet();
    const r = await f.cli(['reconcile', '--once'], { env: { NAVARCH_GIT_TOKEN: 'tok_not_the_right_one' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error: fetch of the default branch: .* refused the credentials \(HTTP 401\)/);
  });

  it('runs on an interval and stops cleanly on SIGTERM, finishing the pass in flight', async () => {
    const f = await fx.fleet();
    // SIGTERM arrives while both creates of the first pass are retrying a failed provisioning call.
    const admin = fakeCloudAdmin('/', f.stateFile);
    await admin.injectFailure({ op: 'provision', error: 'transient', times: 3 });
    const child = f.spawn(['reconcile', '--interval', '1s', '--json']);
    const done = collect(child);
    await until(async () => ((await admin.snapshot()).injected[0]?.fired ?? 0) >= 2, 'both creates to be in flight');
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Stopping: the pass in flight finishes');
    const passes = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { verdict: string; actions: { ok: number } });
    expect(passes).toHaveLength(1);
    expect(passes[0]).toMatchObject({ verdict: 'ok', actions: { ok: 2 } });
    expect(await f.live()).toHaveLength(2);
    expect((await f.log())[0]).toMatch(/^navarch: 2 added/);
    expect(await f.lockRefs()).toBe('');
  });

  it('refuses bad options before touching anything', async () => {
    const f = await fx.fleet();
    const r = await f.cli(['reconcile', '--interval', 'soon']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--interval must be a duration such as 90s, 10m or 1h30m, not "soon"');
    const both = await f.cli(['plan', '--dir', '.']);
    expect(both.stderr).toContain('give either --repo or --dir, not both');
  });
});

describe('reconcile --dir', () => {
  it('runs the same pass on a plain directory, writing the status in place', async () => {
    const { copyExample, removeDir } = await import('../helpers/cli.js');
    const dir = await copyExample('quickstart');
    try {
      const r = await runCli(['reconcile', '--dir', dir, '--once']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Plan: 3 to add, 0 to change, 0 to destroy \| 3 ok, 0 failed, 0 skipped \| status written$/m);
      expect(parseStatus(await readFile(join(dir, 'status/fleet.yaml'), 'utf8'), 'status').nodes).toHaveLength(3);
    } finally {
      await removeDir(dir);
    }
  });
});

describe('local mode', () => {
  it('apply --dir --commit --push commits the status on the branch and pushes it', async () => {
    const f = await fx.fleet();
    const work = join(await fx.tempDir(), 'clone');
    const authed = f.url.replace('http://', `http://x-access-token:${TOKEN}@`);
    await runGit(['clone', '--quiet', authed, work]);
    await runGit(['remote', 'set-url', 'origin', f.url], { cwd: work });
    const env = f.env;

    const dirty = join(work, 'pools/train.yaml');
    const original = await readFile(dirty, 'utf8');
    await writeFile(dirty, original.replace('min_nodes: 2', 'min_nodes: 3'));
    const refused = await runCli(['apply', '--dir', work, '--commit', '--auto-approve'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('uncommitted changes in pools/train.yaml');
    expect(await f.live()).toHaveLength(0);
    await writeFile(dirty, original);

    const r = await runCli(['apply', '--dir', work, '--commit', '--push', '--auto-approve'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Status committed as [0-9a-f]{7} and pushed to main\./);
    const local = (await runGit(['rev-parse', 'HEAD'], { cwd: work })).trim();
    expect((await f.server.git(f.name, ['rev-parse', 'main'])).trim()).toBe(local);
    expect(await runGit(['status', '--porcelain', '--', 'status', 'pools', 'navarch.yaml'], { cwd: work })).toBe('');
    expect((await f.log())[0]).toMatch(/^navarch: 2 added in pool train \(desired [0-9a-f]{7}\) \[skip ci\]\|navarch$/);
    const noPush = await runCli(['apply', '--dir', work, '--push', '--auto-approve'], { env });
    expect(noPush.stderr).toContain('--push needs --commit');
  });
});
