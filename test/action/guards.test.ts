/**
 * The bundled action and the configuration's guards: a plan past the size limits says on the pull
 * request that it needs `allow-large`, and is applied on merge only with it; a renamed fleet is
 * refused on the pull request and on merge, naming both fleets, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolYaml, startBench, type Bench } from './fleet.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench();
});
afterAll(() => bench.close());

describe('the action and the guards', () => {
  it('shows a plan past the size limits as needing allow-large on the pull request, and applies it only with allow-large', async () => {
    const f = await bench.fleet();
    const navarch = `${await bench.git.git(f.name, ['show', 'main:navarch.yaml'])}safety:\n  max_create: 2\n`;
    const change = { 'navarch.yaml': navarch, 'pools/train.yaml': poolYaml(5) };
    bench.gh.openPull(40);
    const planned = await f.plan(40, await f.pullCheckout(change));
    expect(planned.code).toBe(0);
    const [comment] = bench.gh.commentsOn(40);
    expect(comment!.body).toContain('> [!CAUTION]\n> **This plan needs `--allow-large`** (`allow-large: true` in the action): apply refuses it otherwise.');
    expect(comment!.body).toContain('> - creates 5 nodes, more than safety.max\\_create (2) in one apply');
    const allowed = await f.plan(40, await f.pullCheckout(change), { 'allow-large': 'true' });
    expect(allowed.code).toBe(0);
    expect(comment!.body).toContain('the plan creates 5 nodes, more than safety.max\\_create (2); allowed by --allow-large');
    expect(comment!.body).not.toContain('This plan needs');

    const sha = await f.merge(40, change);
    const refused = await f.push(sha, await f.mainCheckout(), {});
    expect(refused.code).toBe(1);
    expect(refused.failure).toContain('the plan breaks the size limits; nothing was changed');
    expect(await f.live()).toEqual([]);
    expect(await f.lockRefs()).toBe('');
    const applied = await f.push(sha, await f.mainCheckout(), { 'allow-large': 'true' });
    expect(applied.failure).toBeUndefined();
    expect(await f.live()).toHaveLength(5);
  });

  it('refuses to plan or apply a renamed fleet, naming both, and changes nothing', async () => {
    const f = await bench.fleet();
    expect((await f.push(await f.head(), await f.mainCheckout(), {})).code).toBe(0);
    const navarch = (await bench.git.git(f.name, ['show', 'main:navarch.yaml'])).replace('fleet: research', 'fleet: renamed');
    const refusal = 'navarch.yaml names fleet "renamed", but status/fleet.yaml records fleet "research" with 2 nodes';
    bench.gh.openPull(41);
    const planned = await f.plan(41, await f.pullCheckout({ 'navarch.yaml': navarch }));
    expect(planned.code).toBe(1);
    expect(planned.failure).toContain(refusal);
    const sha = await f.merge(41, { 'navarch.yaml': navarch });
    const run = await f.push(sha, await f.mainCheckout(), {});
    expect(run.code).toBe(1);
    expect(run.failure).toContain(refusal);
    expect(await f.live()).toHaveLength(2);
    expect((await f.subjects())[0]).toBe('Merge pull request #41');
    expect(await f.lockRefs()).toBe('');
  });
});
