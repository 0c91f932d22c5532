/** `navarch apply` when the cloud refuses: an auth error stops the run; a provider that cannot be listed freezes its pools. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeCloudAdmin, readFakeState } from '../providers/fake/index.js';
import { parseStatus } from '../status/index.js';
import { runCommand } from './testing.js';

const QUICKSTART = fileURLToPath(new URL('../../examples/quickstart', import.meta.url));
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-apply-faults-'));
  await cp(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.navarch') && !src.endsWith('/status') });
  // No boot latency: these tests are about which calls are made, not how long they take.
  const yaml = await readFile(join(dir, 'navarch.yaml'), 'utf8');
  await writeFile(join(dir, 'navarch.yaml'), yaml.replace('latency: 300ms', 'latency: 0s'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const live = async () => (await readFakeState(dir)).instances.filter((i) => i.state !== 'terminated');
const admin = () => fakeCloudAdmin(dir);
const statusText = () => readFile(join(dir, 'status/fleet.yaml'), 'utf8');

/** The quickstart with train grown to `n` nodes, so an apply has enough creates to show what starts after a failure. */
async function growTrain(n: number): Promise<void> {
  const file = join(dir, 'pools/train.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('min_nodes: 2', `min_nodes: ${n}`));
}

describe('an auth error stops the run', () => {
  it('at concurrency 1: nothing starts after it, and the summary names what was not attempted', async () => {
    await admin().injectFailure({ op: 'provision', error: 'auth', times: 1 });
    const r = await runCommand(['apply', '--dir', dir, '--auto-approve', '--no-color', '--concurrency', '1']);
    expect(r.code).toBe(1);
    expect(await live()).toEqual([]);
    expect(r.out).toContain('Apply incomplete: 1 failed, 2 not attempted.');
    expect(r.out).toMatch(/Stopped after create:inference-1 failed: credentials rejected .*; no new action was started\./);
    expect(r.out).toContain('Not attempted: create:train-1, create:train-2');
    expect(r.out).not.toContain('Apply complete');
    const status = parseStatus(await statusText(), 'status');
    expect(status.events.filter((e) => e.result === 'skipped').map((e) => e.node)).toEqual(['train-1', 'train-2']);
  });

  it('at higher concurrency: actions already in flight finish, nothing new starts', async () => {
    await growTrain(4);
    await admin().injectFailure({ op: 'provision', error: 'auth', times: 1 });
    const r = await runCommand(['apply', '--dir', dir, '--auto-approve', '--no-color', '--concurrency', '2']);
    expect(r.code).toBe(1);
    // Two started together: one was refused, the other was already in flight and finished. The other three never started.
    expect(await live()).toHaveLength(1);
    expect(r.out).toContain('Apply incomplete: 1 failed, 3 not attempted. Resources: 1 added, 0 changed, 0 destroyed.');
    expect(r.out.match(/: creating…/g)).toHaveLength(2);
  });

  it('an invalid request stops the run the same way; a capacity error does not', async () => {
    await admin().injectFailure({ op: 'provision', error: 'invalid', times: 1 });
    const stopped = await runCommand(['apply', '--dir', dir, '--auto-approve', '--no-color', '--concurrency', '1']);
    expect(stopped.out).toContain('Apply incomplete: 1 failed, 2 not attempted.');
    expect(await live()).toEqual([]);
    await admin().clearFailures();
    await admin().injectFailure({ op: 'provision', error: 'capacity', times: 1 });
    const rest = await runCommand(['apply', '--dir', dir, '--auto-approve', '--no-color', '--concurrency', '1']);
    expect(rest.code).toBe(0);
    expect(rest.out).toContain('Apply complete! Resources: 3 added');
    expect(rest.out).toContain('unavailable, trying');
  });
});

describe('a provider that cannot be listed freezes its pools', () => {
  /** Applies the quickstart, then makes listing the fake cloud fail; returns the status as it was. */
  async function appliedThenUnlistable(): Promise<string> {
    expect((await runCommand(['apply', '--dir', dir, '--auto-approve'])).code).toBe(0);
    await admin().injectFailure({ op: 'list', error: 'auth' });
    return statusText();
  }
  const records = (text: string) => {
    const s = parseStatus(text, 'status');
    return { nodes: s.nodes, pools: s.pools };
  };

  it('plan says the pools are unknown, never that the fleet matches, and exits 1 with --detailed-exitcode', async () => {
    await appliedThenUnlistable();
    const r = await runCommand(['plan', '--dir', dir, '--no-color', '--detailed-exitcode']);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('matches');
    expect(r.out).toContain('  - pool "inference": provider "local" could not be listed: credentials rejected');
    expect(r.out).toContain('  - pool "train": provider "local" could not be listed');
    const json = await runCommand(['plan', '--dir', dir, '--json']);
    expect(JSON.parse(json.out).unknown.map((u: { pool: string }) => u.pool)).toEqual(['inference', 'train']);
  });

  it('apply keeps their records exactly as they were, prints nothing "complete", and exits 1', async () => {
    const before = await appliedThenUnlistable();
    const r = await runCommand(['apply', '--dir', dir, '--auto-approve', '--no-color']);
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/complete!|matches/);
    expect(r.out).toContain('Apply incomplete: 0 failed, 0 not attempted.');
    expect(r.out).toContain('Not planned, their records left as they were: inference, train (provider "local" could not be listed).');
    expect(r.err).toContain('error: provider "local" could not be listed');
    expect(records(await statusText())).toEqual(records(before));
    expect(parseStatus(await statusText(), 'status').history[0]).toMatchObject({ result: 'partial' });
  });

  it('creates nothing on another provider for a pool whose nodes cannot be seen', async () => {
    const before = await appliedThenUnlistable();
    const yaml = await readFile(join(dir, 'navarch.yaml'), 'utf8');
    await writeFile(join(dir, 'navarch.yaml'), yaml.replace('providers:\n', 'providers:\n  spare:\n    type: fake\n    state_file: .navarch/spare-cloud.json\n'));
    const train = join(dir, 'pools/train.yaml');
    await writeFile(train, (await readFile(train, 'utf8')).replace('provider: local', 'provider: spare'));
    const r = await runCommand(['apply', '--dir', dir, '--auto-approve', '--no-color']);
    expect(r.code).toBe(1);
    expect((await readFakeState(dir, { state_file: '.navarch/spare-cloud.json' })).instances).toEqual([]);
    expect(r.out).toContain('  - pool "train": provider "local" could not be listed');
    expect(records(await statusText()).nodes).toEqual(records(before).nodes);
  });
});

describe('reconcile with a provider that cannot be listed', () => {
  it('fails the pass (exit 1 with --once) and keeps the records as they were', async () => {
    expect((await runCommand(['apply', '--dir', dir, '--auto-approve'])).code).toBe(0);
    const before = parseStatus(await statusText(), 'status').nodes;
    await admin().injectFailure({ op: 'list', error: 'auth' });
    const r = await runCommand(['reconcile', '--dir', dir, '--once']);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain('not planned, their provider could not be listed: pool inference, pool train');
    expect(parseStatus(await statusText(), 'status').nodes).toEqual(before);
  });
});
