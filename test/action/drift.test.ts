/**
 * The scheduled drift check: the bundled action opens one issue while the fleet differs from the
 * default branch's configuration, updates that issue on each later check, and closes it once they
 * match again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMarker } from '../../src/github/index.js';
import { fakeCloudAdmin } from '../../src/providers/fake/index.js';
import { startBench, TOKEN, type Bench } from './fleet.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench();
});
afterAll(() => bench.close());

const driftIssues = (): Array<{ number: number; state: string; title: string; body: string; labels: string[] }> =>
  [...bench.gh.issues.values()].filter((i) => !i.pull);

describe('drift check', () => {
  it('opens one issue while the fleet has drifted, updates it, and closes it when it has not', async () => {
    const f = await bench.fleet({ dir: 'fleet' });
    expect((await f.push(await f.head(), await f.mainCheckout(), {})).code).toBe(0);

    const calm = await f.schedule({ command: 'drift' });
    expect(calm.code).toBe(0);
    expect(calm.stdout).toContain('No drift.');
    expect(driftIssues()).toEqual([]);

    const [victim] = await f.live();
    await fakeCloudAdmin('/', f.stateFile).killInstance(victim!.id);
    const found = await f.schedule({ command: 'drift' });
    expect(found.code).toBe(0);
    expect(found.outputs).toMatchObject({ 'has-changes': 'true', summary: 'Plan: 1 to add, 0 to change, 0 to destroy.', 'drift-issue': '1' });
    const [issue] = driftIssues();
    expect(issue).toMatchObject({ number: 1, state: 'open', title: 'navarch: fleet research (fleet/) has drifted from its configuration', labels: ['navarch-drift'] });
    expect(readMarker(issue!.body, 'navarch-drift')).toEqual({ dir: 'fleet', fleet: 'research' });
    expect(issue!.body).toContain('**Plan: 1 to add, 0 to change, 0 to destroy.**');

    await fakeCloudAdmin('/', f.stateFile).killInstance((await f.live())[0]!.id);
    const before = bench.gh.requests.length;
    const worse = await f.schedule({ command: 'drift' });
    expect(worse.code).toBe(0);
    expect(bench.gh.calls().slice(before)).toEqual(['GET /repos/acme/fleet/issues', 'PATCH /repos/acme/fleet/issues/1']);
    expect(driftIssues()).toHaveLength(1);
    expect(driftIssues()[0]!.body).toContain('**Plan: 2 to add, 0 to change, 0 to destroy.**');

    expect((await f.push(await f.head(), await f.mainCheckout(), {})).code).toBe(0);
    const fixed = await f.schedule({ command: 'drift' });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('No drift; closed issue #1.');
    expect(driftIssues()).toMatchObject([{ number: 1, state: 'closed' }]);
    expect(bench.gh.issues.get(1)).toMatchObject({ state_reason: 'completed' });
    expect(bench.gh.commentsOn(1).map((c) => c.body)[0]).toMatch(/^The fleet matches its configuration again \(checked at [0-9a-f]{7}, \[workflow run\]/);

    const quiet = bench.gh.requests.length;
    expect((await f.schedule({ command: 'drift' })).code).toBe(0);
    expect(bench.gh.calls().slice(quiet)).toEqual(['GET /repos/acme/fleet/issues']);
  });

  it('leaves the issue alone when a provider cannot be listed, and fails the check', async () => {
    const f = await bench.fleet();
    const admin = fakeCloudAdmin('/', f.stateFile);
    await admin.injectFailure({ op: 'list', error: 'auth' });
    const before = bench.gh.requests.length;
    const run = await f.schedule({ command: 'drift' });
    expect(run.code).toBe(1);
    expect(run.failure).toMatch(/^cannot tell whether the fleet drifted: provider "local" could not be listed/);
    expect(bench.gh.requests.length).toBe(before);
  });

  it('keeps an open drift issue open while a provider cannot be listed: unknown pools are never "no drift"', async () => {
    const f = await bench.fleet({ dir: 'unlisted' });
    expect((await f.push(await f.head(), await f.mainCheckout(), {})).code).toBe(0);
    await fakeCloudAdmin('/', f.stateFile).killInstance((await f.live())[0]!.id);
    const found = await f.schedule({ command: 'drift' });
    expect(found.code).toBe(0);
    const number = Number(found.outputs['drift-issue']);
    expect(bench.gh.issues.get(number)).toMatchObject({ state: 'open' });

    // The fleet is back in shape, but nobody can see it: the issue stays as it is until someone can.
    expect((await f.push(await f.head(), await f.mainCheckout(), {})).code).toBe(0);
    await fakeCloudAdmin('/', f.stateFile).injectFailure({ op: 'list', error: 'auth' });
    const blind = await f.schedule({ command: 'drift' });
    expect(blind.code).toBe(1);
    expect(blind.stdout).not.toContain('No drift');
    expect(blind.summary).toContain('**Not fully planned:**');
    expect(bench.gh.issues.get(number)).toMatchObject({ state: 'open' });
    expect(bench.gh.commentsOn(number)).toEqual([]);

    await fakeCloudAdmin('/', f.stateFile).clearFailures();
    expect((await f.schedule({ command: 'drift' })).stdout).toContain(`No drift; closed issue #${number}.`);
  });

  it('wrote no token anywhere', () => {
    for (const r of bench.runs) for (const text of [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)]) expect(text).not.toContain(TOKEN);
  });
});
