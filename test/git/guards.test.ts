/**
 * The configuration's guards on `--repo`, as a user meets them against a real git server: a
 * renamed or removed `fleet:` refuses to plan (no second fleet beside the running one), symbolic
 * links in a commit are followed inside the tree, and a plan past the size limits needs --allow-large.
 */
import { describe, expect, it } from 'vitest';
import { commitSymlinks } from '../helpers/git-fixtures.js';
import { gitSuite } from './setup.js';

const fx = gitSuite();

const POOL = (nodes: number): string => `provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: ${nodes}\nmax_nodes: ${Math.max(nodes, 8)}\n`;

describe('a configuration that names another fleet, on --repo', () => {
  it('refuses to plan, apply, reconcile or serve when fleet: is renamed, and when it is removed', async () => {
    const f = await fx.fleet();
    expect((await f.cli(['apply', '--auto-approve'])).code).toBe(0);
    const navarch = await f.server.git(f.name, ['show', 'main:navarch.yaml']);
    await f.server.commit(f.name, { 'navarch.yaml': navarch.replace('fleet: research', 'fleet: renamed') }, 'rename the fleet');
    const commits = (await f.log()).length;
    for (const args of [['plan'], ['apply', '--auto-approve'], ['serve', '--insecure-dev', '--listen', '127.0.0.1:0']]) {
      const r = await f.cli(args);
      expect(r.code, args[0]).toBe(1);
      expect(r.stderr, args[0]).toContain(
        'error: navarch.yaml names fleet "renamed", but status/fleet.yaml records fleet "research" with 2 nodes: planning "renamed" would leave the nodes of "research" running, unmanaged, and start a second fleet beside them. Nothing was changed.',
      );
    }
    const rec = await f.cli(['reconcile', '--once']);
    expect(rec.code).toBe(1);
    expect(rec.stdout).toContain('records fleet "research"');

    await f.server.commit(f.name, { 'navarch.yaml': navarch.replace('fleet: research\n', '') }, 'drop the fleet name');
    const removed = await f.cli(['apply', '--auto-approve']);
    expect(removed.code).toBe(1);
    expect(removed.stderr).toContain(`navarch.yaml names no \`fleet:\`, so the fleet would be "${f.name}", named after ${f.url.replace(/\.git$/, '')}, but status/fleet.yaml records fleet "research"`);
    expect(removed.stderr).toContain('To keep managing "research", set `fleet: research` in navarch.yaml.');

    expect(await f.live()).toHaveLength(2);
    expect((await f.live()).every((i) => i.tags['navarch-fleet'] === 'research')).toBe(true);
    expect(await f.log()).toHaveLength(commits + 1);
    expect(await f.lockRefs()).toBe('');
  });
});

describe('symbolic links in a commit, on --repo', () => {
  it('follows a pool file linked inside the tree, and refuses one that leaves it', async () => {
    const f = await fx.fleet({ extra: { 'shared/infer.yaml': POOL(1) } });
    await commitSymlinks(f.server, f.name, { 'pools/infer.yaml': '../shared/infer.yaml' }, 'link a pool');
    const r = await f.cli(['apply', '--auto-approve']);
    expect(r.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    const again = await f.cli(['plan', '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes. Your fleet matches the configuration.');

    await commitSymlinks(f.server, f.name, { 'pools/infer.yaml': '../../infer.yaml' }, 'link outside');
    const bad = await f.cli(['plan']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: pools/infer.yaml:1:1: this is a symbolic link to ../../infer.yaml, which leaves the repository');
    expect(await f.live()).toHaveLength(3);
  });
});

describe('size limits, on --repo', () => {
  it('refuses a plan past them without --allow-large, and applies it with', async () => {
    const f = await fx.fleet({ nodes: 3, navarch: 'safety:\n  max_nodes_per_pool: 2\n  max_create: 2\n' });
    const p = await f.cli(['plan']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('Error: this plan needs --allow-large\n  - pool "train": would grow to 3 nodes, more than safety.max_nodes_per_pool (2)\n  - creates 3 nodes, more than safety.max_create (2) in one apply');
    const refused = await f.cli(['apply', '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the plan breaks the size limits; nothing was changed');
    expect(await f.live()).toEqual([]);
    expect(await f.log()).toHaveLength(1);
    expect(await f.lockRefs()).toBe('');
    const rec = await f.cli(['reconcile', '--once']);
    expect(rec.code).toBe(1);
    expect(await f.live()).toEqual([]);

    const allowed = await f.cli(['apply', '--auto-approve', '--allow-large']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('the plan creates 3 nodes, more than safety.max_create (2); allowed by --allow-large');
    expect(await f.live()).toHaveLength(3);
  });
});
