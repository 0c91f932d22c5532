/**
 * `navarch plan/apply/status --repo` as a user runs them, against a real git server: the status
 * commit lands on the server, pushes race with people, stale plans are refused, the token never leaks.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStatus } from '../../src/status/index.js';
import { gitSuite, TOKEN } from './setup.js';

const fx = gitSuite();

const GROW = 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 3\nmax_nodes: 8\n';

describe('apply --repo', () => {
  it('clones, applies, and pushes a status commit that names the desired commit', async () => {
    const f = await fx.fleet();
    const r = await f.cli(['apply', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
    expect(r.stdout).toMatch(/Status committed as [0-9a-f]{7} and pushed to main\./);
    expect(r.stderr).toMatch(/Acquired the fleet lock [0-9a-f-]{36}/);
    expect(await f.live()).toHaveLength(2);
    expect(await f.log()).toEqual([`navarch: 2 added in pool train (desired ${f.initial.slice(0, 7)}) [skip ci]|navarch`, 'Initial fleet configuration|Ada Operator']);
    const status = parseStatus(await f.server.git(f.name, ['show', 'main:status/fleet.yaml']), 'status/fleet.yaml');
    expect(status.desired.commit).toBe(f.initial);
    expect(status.nodes.map((n) => n.name)).toEqual(['train-1', 'train-2']);
    expect(await f.lockRefs()).toBe('');

    const st = await f.cli(['status']);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain(`Reflects the current configuration (commit ${f.initial.slice(0, 7)}).`);

    const author = await f.cli(['apply', '--auto-approve', '--git-author', 'Fleet Bot <bot@example.com>']);
    expect(author.code).toBe(0);
    expect((await f.log())[0]).toMatch(/^navarch: status refreshed .*\|Fleet Bot$/);
    const quiet = await f.cli(['apply', '--auto-approve']);
    expect(quiet.stdout).toContain('Status unchanged; nothing to commit.');
    expect(await f.log()).toHaveLength(3);
  });

  it('reads the branch given with --ref', async () => {
    const f = await fx.fleet();
    await f.server.git(f.name, ['branch', 'staging', 'main']);
    await f.server.commit(f.name, { 'pools/train.yaml': GROW }, 'grow on staging', { branch: 'staging' });
    const r = await f.cli(['plan', '--ref', 'staging', '--detailed-exitcode']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    const missing = await f.cli(['plan', '--ref', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has no branch "nope"; check --ref');
  });

  it('reads --ref main when the remote HEAD names a branch that does not exist; only no --ref depends on HEAD', async () => {
    const f = await fx.fleet();
    await f.server.git(f.name, ['symbolic-ref', 'HEAD', 'refs/heads/nope']);
    const plan = await f.cli(['plan', '--ref', 'main', '--detailed-exitcode']);
    expect(plan.stderr).not.toContain('has no branch');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    const applied = await f.cli(['apply', '--ref', 'main', '--auto-approve']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Status committed as [0-9a-f]{7} and pushed to main\./);
    expect(await f.live()).toHaveLength(2);
    const st = await f.cli(['status', '--ref', 'main']);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain('train-1');

    const noRef = await f.cli(['plan']);
    expect(noRef.code).toBe(1);
    expect(noRef.stderr).toContain(`the default branch of ${f.url} (its HEAD) names a branch that does not exist; name the branch with --ref`);
    expect(noRef.stderr).not.toMatch(/\n\s+at /);
  });

  it('re-applies the status change on the new head when a person pushed first; both commits survive', async () => {
    const f = await fx.fleet();
    let human = '';
    fx.server.setBeforePush(async (updates) => {
      if (human || updates[0]?.ref !== 'refs/heads/main') return;
      human = await fx.server.commit(f.name, { 'README.md': 'Fleet for the research team.\n' }, 'Document the fleet');
    });
    try {
      const r = await f.cli(['apply', '--auto-approve']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('main moved meanwhile; the status change was re-applied on its new head');
    } finally {
      fx.server.setBeforePush(undefined);
    }
    expect(await f.log()).toEqual([
      `navarch: 2 added in pool train (desired ${f.initial.slice(0, 7)}) [skip ci]|navarch`,
      'Document the fleet|Ada Operator',
      'Initial fleet configuration|Ada Operator',
    ]);
    expect((await f.server.git(f.name, ['rev-parse', 'main^'])).trim()).toBe(human);
    expect(await f.server.git(f.name, ['show', 'main:README.md'])).toBe('Fleet for the research team.\n');
    expect(await f.live()).toHaveLength(2);
  });

  it('refuses a saved plan after a commit that changes a pool, but not after one that changes nothing', async () => {
    const f = await fx.fleet();
    const planFile = join(await fx.tempDir(), 'plan.json');
    const planned = await f.cli(['plan', '--out', planFile]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain(`commit ${f.initial.slice(0, 7)}`);
    expect(planned.stdout).toContain(`navarch apply --repo ${f.url} ${planFile}`);
    expect(JSON.parse(await readFile(planFile, 'utf8'))).toMatchObject({ desired: { commit: f.initial } });

    const docs = await fx.server.commit(f.name, { 'README.md': 'docs only\n' }, 'docs');
    const grow = await fx.server.commit(f.name, { 'pools/train.yaml': GROW }, 'Grow train to 3');
    const stale = await f.cli(['apply', planFile]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`Saved plan is stale: the desired state changed (commit ${f.initial.slice(0, 7)} → ${grow.slice(0, 7)})`);
    expect(await f.live()).toHaveLength(0);
    expect(await f.lockRefs()).toBe('');

    // Planned after the docs commit and applied after another docs commit: same desired state, not stale.
    await fx.server.commit(f.name, { 'README.md': 'docs again\n' }, 'more docs');
    const fresh = join(await fx.tempDir(), 'plan.json');
    await f.cli(['plan', '--out', fresh]);
    await fx.server.commit(f.name, { 'README.md': 'and again\n' }, 'even more docs');
    const ok = await f.cli(['apply', fresh]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Apply complete! Resources: 3 added');
    expect(docs).not.toBe(grow);
  });

  it('never shows or stores the token: output, errors, plans, status, lock commits', async () => {
    const f = await fx.fleet();
    const planFile = join(await fx.tempDir(), 'plan.json');
    const withUrlToken = f.url.replace('http://', `http://x-access-token:${TOKEN}@`);
    const runs = [
      await f.cli(['plan', '--out', planFile, '--repo', withUrlToken], { repo: false, env: { NAVARCH_GIT_TOKEN: '' } }),
      await f.cli(['apply', '--auto-approve']),
      await f.cli(['status', '--json']),
      await f.cli(['apply', '--auto-approve', '--repo', withUrlToken.replace('.git', '-missing.git')], { repo: false }),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 1]);
    expect(runs[3]?.stderr).toContain(`${f.url.replace('.git', '-missing.git')}`);
    const wrong = await f.cli(['plan'], { env: { NAVARCH_GIT_TOKEN: 'tok_wrong_value_987654' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/refused the credentials \(HTTP 401\)\. Set NAVARCH_GIT_TOKEN/);
    const none = await f.cli(['plan'], { env: { NAVARCH_GIT_TOKEN: '' } });
    expect(none.stderr).toContain('HTTP 401');
    const everything = [
      ...runs.flatMap((r) => [r.stdout, r.stderr]),
      wrong.stdout,
      wrong.stderr,
      await readFile(planFile, 'utf8'),
      await f.server.git(f.name, ['log', '--all', '-p', '--format=%B']),
    ].join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('tok_wrong_value_987654');
    expect(everything).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
  });
});
