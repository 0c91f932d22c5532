/**
 * The bundled action on pull requests, run as GitHub runs it against the loopback GitHub API: one
 * sticky comment per config directory, edited in place on every push; plans of any size kept under
 * GitHub's limit; configuration errors marked on the right file and line; inputs checked.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlanMarker } from '../../src/github/index.js';
import { poolYaml, startBench, TOKEN, type Bench } from './fleet.js';

let bench: Bench;
beforeAll(async () => {
  // Pages of two comments, so finding the plan comment among others takes several requests.
  bench = await startBench({ maxPerPage: 2 });
});
afterAll(() => bench.close());

describe('plan on a pull request', () => {
  it('posts one comment on the first run and edits that same comment on the next', async () => {
    const f = await bench.fleet();
    bench.gh.openPull(7);
    for (const who of ['ada', 'grace', 'linus']) bench.gh.addComment(7, `Looks good to ${who}`);
    const first = await f.plan(7, await f.pullCheckout({ 'pools/train.yaml': poolYaml(3) }), {}, 'a'.repeat(40));
    expect(first.failure).toBeUndefined();
    expect(first.code).toBe(0);
    const posted = bench.gh.commentsOn(7).filter((c) => c.user.type === 'Bot');
    expect(posted).toHaveLength(1);
    const comment = posted[0]!;
    expect(comment.body.split('\n')[0]).toMatch(/^<!-- navarch-plan dir=\. fleet=research plan=sha256:[0-9a-f]{64} format=2 summary=3\/0\/0 /);
    expect(comment.body).toContain('### navarch plan for fleet `research`');
    expect(comment.body).toContain('**Plan: 3 to add, 0 to change, 0 to destroy.**');
    expect(comment.body).toContain('+\\$71.76/hr'); // 3 × f1.8xh100 at $23.92/hr
    expect(comment.body).toMatch(/\| `train` \(new\) \| 0 → 3 \| 3 \| 0 \| 0 \|/);
    expect(comment.body).toContain('Planned at aaaaaaa');
    expect(first.outputs).toMatchObject({ 'has-changes': 'true', summary: 'Plan: 3 to add, 0 to change, 0 to destroy.', 'cost-delta': '+71.76' });
    expect(first.outputs['plan-file']).toMatch(/navarch\/plan-research\.json$/);
    expect(JSON.parse(first.outputs['plan-file-text'] ?? '{}')).toMatchObject({ fleet: 'research', summary: { add: 3 } });
    expect(first.summary).toContain('**Plan: 3 to add, 0 to change, 0 to destroy.**');
    expect(first.summary).toContain('| `train` (new) | 0 → 3 |');
    const listed = bench.gh.requests.filter((r) => r.path === '/repos/acme/fleet/issues/7/comments' && r.method === 'GET');
    expect(listed.length).toBeGreaterThanOrEqual(2); // paged

    const before = bench.gh.requests.length;
    const second = await f.plan(7, await f.pullCheckout({ 'pools/train.yaml': poolYaml(4) }), {}, 'b'.repeat(40));
    expect(second.code).toBe(0);
    const calls = bench.gh.calls().slice(before);
    expect(calls.filter((c) => !c.startsWith('GET'))).toEqual([`PATCH /repos/acme/fleet/issues/comments/${comment.id}`]);
    expect(bench.gh.commentsOn(7).filter((c) => c.user.type === 'Bot')).toHaveLength(1);
    expect(comment.body).toContain('**Plan: 4 to add, 0 to change, 0 to destroy.**');
    expect(comment.body).toContain('Planned at bbbbbbb');
    expect(second.outputs['comment-url']).toContain(`#issuecomment-${comment.id}`);
  });

  it('keeps a plan touching 200 pools under the limit, with the rest in the job summary', async () => {
    const pools: Record<string, string> = {};
    for (let i = 1; i <= 200; i++) pools[`pools/pool-${String(i).padStart(3, '0')}.yaml`] = poolYaml(2, 'labels: { team: research, owner: platform-infrastructure }\n');
    const f = await bench.fleet();
    bench.gh.openPull(8);
    const run = await f.plan(8, await f.pullCheckout(pools));
    expect(run.code).toBe(0);
    const [comment] = bench.gh.commentsOn(8);
    expect(bench.gh.requests.filter((r) => r.status === 422)).toEqual([]);
    expect(comment!.body.length).toBeLessThanOrEqual(65_536);
    expect(comment!.body).toContain('**Plan: 402 to add, 0 to change, 0 to destroy.**');
    expect(comment!.body).toMatch(/<details><summary>Full plan \(402 actions\)<\/summary>/);
    expect(comment!.body).toMatch(/\*\*[\d,]+ of 402 actions not shown\*\*: this comment is limited to [\d,]+ characters\. The full plan is in the \[job summary\]\(https:\/\/github\.example\/acme\/fleet\/actions\/runs\/4242\)\./);
    expect(comment!.body.trimEnd().endsWith('</sub>')).toBe(true);
    expect(Buffer.byteLength(run.summary)).toBeLessThanOrEqual(1024 * 1024);
    expect(run.summary).toContain('pool-200-2');
    expect(run.summary).not.toContain('not shown');
  });

  it('marks each configuration error on its file and line, and replaces the plan in the comment', async () => {
    const f = await bench.fleet({ dir: 'infra/gpus' });
    bench.gh.openPull(9);
    const good = await f.plan(9, await f.pullCheckout({}));
    expect(good.code).toBe(0);
    const broken = '# train\nprovider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_node: 2\nmax_nodes: 8\n';
    const run = await f.plan(9, await f.pullCheckout({ 'pools/train.yaml': broken, 'pools/serve.yaml': 'provider: nowhere\ninstance_type: f1.8xh100\nmin_nodes: 1\n' }));
    expect(run.code).toBe(1);
    expect(run.failure).toBe('the configuration has 2 errors; see the annotations');
    expect(run.annotations.map((a) => [a.properties['file'], a.properties['line'], a.properties['col']])).toEqual([
      ['infra/gpus/pools/serve.yaml', '1', '11'],
      ['infra/gpus/pools/train.yaml', '5', '1'],
    ]);
    expect(run.annotations[1]?.message).toContain('unknown key `min_node`; did you mean `min_nodes`?');
    expect(run.annotations[1]?.properties['title']).toBe('navarch: invalid configuration');
    const [comment] = bench.gh.commentsOn(9);
    expect(bench.gh.commentsOn(9)).toHaveLength(1);
    expect(parsePlanMarker(comment!.body)).toMatchObject({ dir: 'infra/gpus', plan: undefined });
    expect(comment!.body).toContain('**The configuration is invalid: 2 errors.**');
    expect(comment!.body).toContain('infra/gpus/pools/train.yaml:5:1: unknown key \\`min\\_node\\`');
    expect(run.summary).toContain('The configuration is invalid');
  });

  it('with comment: changes-only, creates a comment only for changes but still edits one to say the changes are gone', async () => {
    const f = await bench.fleet();
    bench.gh.openPull(10);
    // A repository without pools plans no changes (one with pools plans their first declaration).
    const none = { 'pools/train.yaml': null };
    const quiet = await f.plan(10, await f.pullCheckout(none), { comment: 'changes-only' });
    expect(quiet.code).toBe(0);
    expect(quiet.outputs['has-changes']).toBe('false');
    expect(bench.gh.commentsOn(10)).toHaveLength(0);
    expect(quiet.stdout).toContain('No changes, so no comment on #10 (comment: changes-only).');
    await f.plan(10, await f.pullCheckout({ 'pools/train.yaml': poolYaml(2) }), { comment: 'changes-only' });
    expect(bench.gh.commentsOn(10)).toHaveLength(1);
    await f.plan(10, await f.pullCheckout(none), { comment: 'changes-only' });
    const [comment] = bench.gh.commentsOn(10);
    expect(bench.gh.commentsOn(10)).toHaveLength(1);
    expect(comment!.body).toContain('**No changes.** Your fleet matches the configuration.');
    const never = await f.plan(10, await f.pullCheckout({ 'pools/train.yaml': poolYaml(5) }), { comment: 'never' });
    expect(never.code).toBe(0);
    expect(comment!.body).toContain('**No changes.**');
  });

  it('refuses invalid inputs, naming each, before doing anything', async () => {
    const f = await bench.fleet();
    const before = bench.gh.requests.length;
    const run = await f.plan(11, await f.pullCheckout({}), {
      command: 'deploy',
      dir: '../elsewhere',
      comment: 'sometimes',
      'require-reviewed-plan': 'yes please',
      'lock-timeout': 'soon',
      server: 'ftp://navarch.example.com',
    });
    expect(run.code).toBe(1);
    expect(run.failure).toBe(
      [
        'invalid inputs:',
        '  - input "command" must be one of plan, apply, drift, not "deploy"',
        '  - input "dir" must be a directory inside the repository, relative to its root (e.g. "fleet"), not "../elsewhere"',
        '  - input "comment" must be one of always, changes-only, never, not "sometimes"',
        '  - input "require-reviewed-plan" must be true or false, not "yes please"',
        '  - input "lock-timeout" must be a duration such as 90s, 5m or 1h, not "soon"',
        '  - input "server" must be the control plane\'s http(s) URL, e.g. https://navarch.example.com:8443',
        '  - input "server" needs the control plane\'s read-only token: set server-token (e.g. ${{ secrets.NAVARCH_READ_TOKEN }}) or NAVARCH_READ_TOKEN in the environment',
      ].join('\n'),
    );
    const missing = await f.plan(11, await f.pullCheckout({}), { command: '', dir: 'nowhere' });
    expect(missing.failure).toContain('input "command" is required: one of plan, apply, drift');
    const noConfig = await f.plan(11, await f.pullCheckout({}), { dir: 'nowhere' });
    expect(noConfig.failure).toMatch(/^no navarch\.yaml in "nowhere" of the checkout \(.*\)\. Run actions\/checkout before this step/);
    const onPr = await f.plan(11, await f.pullCheckout({}), { command: 'apply' });
    expect(onPr.failure).toContain('command: apply runs on pushes to the default branch');
    expect(bench.gh.requests.length).toBe(before);
    expect(existsSync(f.stateFile)).toBe(false); // no cloud was touched
  });

  it('redacts the token wherever it would appear, and it appears in no comment, output, summary or log', async () => {
    const f = await bench.fleet();
    bench.gh.openPull(12);
    const run = await f.plan(12, await f.pullCheckout({ 'pools/train.yaml': poolYaml(1, `labels: { team: "${TOKEN}" }\n`) }), { 'github-token': TOKEN });
    expect(run.code).toBe(0);
    const [comment] = bench.gh.commentsOn(12);
    expect(comment!.body).toContain('[REDACTED]');
    for (const r of bench.runs) {
      for (const text of [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)]) expect(text).not.toContain(TOKEN);
    }
    for (const req of bench.gh.requests) expect(JSON.stringify(req.body ?? {})).not.toContain(TOKEN);
  });
});
