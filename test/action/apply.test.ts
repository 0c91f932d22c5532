/**
 * The bundled action on pushes to main: the same pass as `navarch apply --dir . --commit --push`
 * (fleet lock on the remote, apply, status committed with `[skip ci]` and pushed), and with
 * `require-reviewed-plan`, a refusal, failing the step and changing nothing, whenever the plan
 * about to be applied is not the one the merged pull request last showed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPlanMarker, parsePlanMarker, planMarkerFor } from '../../src/github/index.js';
import { digestOf } from '../../src/model/index.js';
import { parsePlan } from '../../src/plan/index.js';
import { fakeCloudAdmin } from '../../src/providers/fake/index.js';
import { poolYaml, startBench, TOKEN, type Bench } from './fleet.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench();
});
afterAll(() => bench.close());

const reviewed = { 'require-reviewed-plan': 'true' };

describe('apply on merge', () => {
  it('applies what the merged pull request showed, commits the status back with [skip ci] and releases the lock', async () => {
    const f = await bench.fleet();
    bench.gh.openPull(20);
    const change = { 'pools/train.yaml': poolYaml(3) };
    const planned = await f.plan(20, await f.pullCheckout(change));
    expect(planned.code).toBe(0);
    const sha = await f.merge(20, change);
    const run = await f.push(sha, await f.mainCheckout(), reviewed);
    expect(run.failure).toBeUndefined();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Commit ${sha.slice(0, 7)} merged pull request #20; its plan comment was found.`);
    expect(run.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(await f.live()).toHaveLength(3);
    const subjects = await f.subjects();
    expect(subjects[0]).toBe(`navarch: 3 added in pool train (desired ${sha.slice(0, 7)}) [skip ci]`);
    expect(subjects[1]).toBe('Merge pull request #20');
    expect(await f.lockRefs()).toBe('');
    expect(run.outputs).toMatchObject({ 'has-changes': 'true', summary: 'Plan: 3 to add, 0 to change, 0 to destroy.', 'cost-delta': '+71.76' });
    expect(run.summary).toContain('### navarch apply for fleet `research`');
    expect(run.summary).toContain('**Apply complete!** Resources: 3 added, 0 changed, 0 destroyed.');
    expect(run.summary).toMatch(/Status committed as [0-9a-f]{7} and pushed to main\./);
    // The status commit itself triggers nothing ([skip ci]); applied again, there is nothing to do.
    const again = await f.push(await f.head(), await f.mainCheckout(), reviewed);
    expect(again.code).toBe(0);
    expect(again.outputs['has-changes']).toBe('false');
    expect(await f.live()).toHaveLength(3);
  });

  it('refuses a plan that differs from the one the pull request showed, says why, and changes nothing', async () => {
    const f = await bench.fleet();
    expect((await f.push(await f.head(), await f.mainCheckout(), {})).code).toBe(0);
    expect(await f.live()).toHaveLength(2);
    bench.gh.openPull(21);
    const change = { 'pools/train.yaml': poolYaml(3) };
    expect((await f.plan(21, await f.pullCheckout(change))).outputs['summary']).toBe('Plan: 1 to add, 0 to change, 0 to destroy.');
    const [comment] = bench.gh.commentsOn(21);
    const shown = parsePlanMarker(comment!.body)?.plan ?? '';

    // A node dies after the pull request was planned: the plan on merge must replace it too.
    const [victim] = await f.live();
    await fakeCloudAdmin('/', f.stateFile).killInstance(victim!.id);
    const sha = await f.merge(21, change);
    const subjects = await f.subjects();
    const refused = await f.push(sha, await f.mainCheckout(), reviewed);
    expect(refused.code).toBe(1);
    const failure = refused.failure ?? '';
    expect(failure).toMatch(/^Refusing to apply: the plan differs from the one last shown on pull request #21 \(https:\/\/github\.example\/acme\/fleet\/pull\/21\)\./);
    expect(failure).toContain(`  shown on the pull request: Plan: 1 to add, 0 to change, 0 to destroy. (${shown})`);
    expect(failure).toMatch(/ {2}about to be applied: {7}Plan: 2 to add, 0 to change, 0 to destroy\. \(sha256:[0-9a-f]{64}\)/);
    expect(failure).toMatch(/Why: the fleet changed after the pull request's plan was made \(observed [0-9a-f]{16} → [0-9a-f]{16}\)\./);
    expect(failure).toContain('Nothing was changed.');
    expect(await f.live()).toHaveLength(1);
    expect(await f.subjects()).toEqual(subjects);
    expect(await f.lockRefs()).toBe('');
    expect(refused.summary).toContain('### navarch apply for fleet `research`');
    expect(refused.summary).toContain('> [!CAUTION]\n> This plan was not applied; nothing was changed.');
    expect(refused.outputs['summary']).toBe('Plan: 2 to add, 0 to change, 0 to destroy.');

    // Someone without write access pastes a marker with the new plan's digest: it is not believed.
    const fresh = parsePlan(refused.outputs['plan-file-text'] ?? '', 'plan-file');
    bench.gh.addComment(21, `${formatPlanMarker(planMarkerFor(fresh, '.'))}\nlgtm`, { login: 'mallory', type: 'User' }, 'NONE');
    const spoofed = await f.push(sha, await f.mainCheckout(), reviewed);
    expect(spoofed.code).toBe(1);
    expect(spoofed.failure).toContain('the plan differs from the one last shown on pull request #21');
    expect(await f.live()).toHaveLength(1);

    // The plan is shown again on the pull request (its checkout is what was merged): now it applies.
    expect((await f.plan(21, await f.pullCheckout({}))).outputs['summary']).toBe('Plan: 2 to add, 0 to change, 0 to destroy.');
    const applied = await f.push(sha, await f.mainCheckout(), reviewed);
    expect(applied.failure).toBeUndefined();
    expect(applied.code).toBe(0);
    expect(await f.live()).toHaveLength(3);
  });

  it('refuses a plan shown by a navarch of an older plan format, naming both versions, and changes nothing', async () => {
    const f = await bench.fleet();
    bench.gh.openPull(22);
    const change = { 'pools/train.yaml': poolYaml(3) };
    const planned = await f.plan(22, await f.pullCheckout(change));
    const [comment] = bench.gh.commentsOn(22);
    const marker = parsePlanMarker(comment!.body);
    expect(marker?.format).toBe(2);
    // The comment a navarch of plan format version 1 wrote for the same plan: no format, and the
    // digest of its camelCase document.
    const shown = parsePlan(planned.outputs['plan-file-text'] ?? '', 'plan-file');
    const v1 = digestOf({ ...shown, formatVersion: 1, createdAt: undefined, desired: { ...shown.desired, commit: null } });
    bench.gh.addComment(22, `${formatPlanMarker({ ...marker!, format: undefined, plan: v1 })}\n### navarch plan`, { login: 'github-actions[bot]', type: 'Bot' }, 'NONE');
    const sha = await f.merge(22, change);
    const refused = await f.push(sha, await f.mainCheckout(), reviewed);
    expect(refused.code).toBe(1);
    expect(refused.failure).toMatch(
      /^Refusing to apply: the plan on pull request #22 \(\S+\) was made by a navarch that writes plan format version 1, and this navarch writes format version 2/,
    );
    expect(refused.failure).toContain('Nothing was changed.');
    expect(await f.live()).toHaveLength(0);
  });

  it('refuses changes pushed without a pull request, but lets a push that changes nothing through', async () => {
    const f = await bench.fleet();
    const direct = await bench.git.commit(f.name, { 'pools/train.yaml': poolYaml(1) }, 'Shrink train by hand');
    const refused = await f.push(direct, await f.mainCheckout(), reviewed);
    expect(refused.code).toBe(1);
    expect(refused.failure).toMatch(new RegExp(`^Refusing to apply: commit ${direct.slice(0, 7)} did not come from a merged pull request, so no reviewed plan exists for it`));
    expect(await f.live()).toHaveLength(0);
    expect((await f.push(direct, await f.mainCheckout(), {})).code).toBe(0);
    const docs = await bench.git.commit(f.name, { 'README.md': 'Our fleet.\n' }, 'Document the fleet');
    const quiet = await f.push(docs, await f.mainCheckout(), reviewed);
    expect(quiet.code).toBe(0);
    expect(quiet.outputs['has-changes']).toBe('false');
  });

  it('needs no token in anything it wrote', async () => {
    for (const r of bench.runs) for (const text of [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)]) expect(text).not.toContain(TOKEN);
    for (const req of bench.gh.requests) expect(JSON.stringify(req.body ?? {})).not.toContain(TOKEN);
  });
});
