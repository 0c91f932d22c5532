/**
 * The core loop from a user's seat: the built CLI run as a process on a copy of the quickstart,
 * against the embedded fake cloud.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFakeState, fakeCloudAdmin } from '../../src/providers/fake/index.js';
import { parseStatus } from '../../src/status/index.js';
import { copyExample, removeDir, runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await copyExample('quickstart');
});
afterEach(async () => {
  await removeDir(dir);
});

const live = async (root: string) => (await readFakeState(root)).instances.filter((i) => i.state !== 'terminated');

async function edit(file: string, change: (doc: Record<string, unknown>) => void): Promise<void> {
  const path = join(dir, file);
  const doc = parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  change(doc);
  const { stringify } = await import('yaml');
  await writeFile(path, stringify(doc));
}

describe('quickstart', () => {
  it('applies, then plans no changes, then plans exactly the added nodes', async () => {
    const first = await runCli(['apply', '--dir', dir, '--auto-approve']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(first.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');

    const instances = await live(dir);
    expect(instances.map((i) => i.tags['navarch-node']).sort()).toEqual(['inference-1', 'train-1', 'train-2']);
    const status = parseStatus(await readFile(join(dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
    expect(status.nodes.map((n) => n.name)).toEqual(['inference-1', 'train-1', 'train-2']);
    expect(status.pools['train']).toMatchObject({ target: 2, nodes: 2, last_ordinal: 2 });
    expect(status.history[0]).toMatchObject({ result: 'applied', actions: 3 });

    const again = await runCli(['plan', '--dir', dir, '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');

    await edit('pools/train.yaml', (doc) => (doc['min_nodes'] = 4));
    const more = await runCli(['plan', '--dir', dir, '--detailed-exitcode']);
    expect(more.code).toBe(2);
    expect(more.stdout).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    expect(more.stdout).toContain('train-3');
    expect(more.stdout).toContain('train-4');
  });

  it('prints the versioned plan document with --json', async () => {
    const r = await runCli(['plan', '--dir', dir, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { format_version: number; summary: unknown; actions: unknown[] };
    expect(doc.format_version).toBe(2);
    expect(doc.summary).toEqual({ add: 3, change: 0, destroy: 0 });
    expect(doc.actions).toHaveLength(3);
  });

  it('refuses to apply without approval off a terminal and changes nothing', async () => {
    const r = await runCli(['apply', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--auto-approve');
    expect(await live(dir)).toEqual([]);
    expect(existsSync(join(dir, 'status/fleet.yaml'))).toBe(false);
  });

  it('on invalid input calls no provider and writes no status', async () => {
    await writeFile(join(dir, 'pools/train.yaml'), 'provider: local\ngpu: h100\ngpus: 8\nmin_nodes: 5\nmax_nodes: 2\n');
    for (const args of [['plan'], ['apply', '--auto-approve']]) {
      const r = await runCli([...args, '--dir', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/pools\/train\.yaml:\d+:\d+: .*min_nodes/);
    }
    expect(existsSync(join(dir, '.navarch/fake-cloud.json'))).toBe(false);
    expect(existsSync(join(dir, 'status/fleet.yaml'))).toBe(false);
  });

  it('refuses a saved plan once the configuration or the fleet changed', async () => {
    const saved = join(dir, 'plan.json');
    expect((await runCli(['plan', '--dir', dir, '--out', saved])).code).toBe(0);
    await edit('pools/inference.yaml', (doc) => (doc['min_nodes'] = 2));
    const stale = await runCli(['apply', saved, '--dir', dir]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('Saved plan is stale');
    expect(stale.stderr).toMatch(/desired/i);
    expect(await live(dir)).toEqual([]);

    // A fresh plan applies; then someone deletes a node behind navarch's back.
    expect((await runCli(['plan', '--dir', dir, '--out', saved])).code).toBe(0);
    expect((await runCli(['apply', saved, '--dir', dir])).code).toBe(0);
    expect((await runCli(['plan', '--dir', dir, '--out', saved])).code).toBe(0);
    const [victim] = await live(dir);
    await fakeCloudAdmin(dir).killInstance(victim?.id ?? '');
    const drifted = await runCli(['apply', saved, '--dir', dir]);
    expect(drifted.code).toBe(1);
    expect(drifted.stderr).toContain('Saved plan is stale');
    expect(drifted.stderr).toMatch(/observed/i);
  });

  it('re-creates a node deleted behind its back', async () => {
    expect((await runCli(['apply', '--dir', dir, '--auto-approve'])).code).toBe(0);
    const victim = (await live(dir)).find((i) => i.tags['navarch-node'] === 'train-1');
    await fakeCloudAdmin(dir).killInstance(victim?.id ?? '');
    const r = await runCli(['apply', '--dir', dir, '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect((await live(dir)).map((i) => i.tags['navarch-node']).sort()).toEqual(['inference-1', 'train-2', 'train-3']);
  });

  it('needs --allow-destroy to remove a whole pool', async () => {
    expect((await runCli(['apply', '--dir', dir, '--auto-approve'])).code).toBe(0);
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, 'pools/train.yaml'));
    const refused = await runCli(['apply', '--dir', dir, '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('--allow-destroy');
    expect(await live(dir)).toHaveLength(3);
    const allowed = await runCli(['apply', '--dir', dir, '--auto-approve', '--allow-destroy']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('Plan: 0 to add, 0 to change, 2 to destroy.');
    expect((await live(dir)).map((i) => i.tags['navarch-node'])).toEqual(['inference-1']);
  });

  it('fails over to the next placement when a region is out of capacity, and says why', async () => {
    const nav = join(dir, 'navarch.yaml');
    const doc = parse(await readFile(nav, 'utf8')) as { providers: { local: Record<string, unknown> } };
    // Capacity that runs out between plan and launch: a limit the fake cloud reports up front would
    // simply be planned last (live availability), so the launch itself is made to fail.
    doc.providers.local['failures'] = [{ op: 'provision', error: 'capacity', region: 'local-1', instance_type: 'f1.1xh100' }];
    const { stringify } = await import('yaml');
    await writeFile(nav, stringify(doc));
    await edit('pools/inference.yaml', (p) => {
      delete p['provider'];
      p['providers'] = [{ name: 'local', regions: ['local-1', 'local-2'] }];
    });
    const r = await runCli(['apply', '--dir', dir, '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/local local-1a? unavailable, trying local local-\d/);
    const inference = (await live(dir)).find((i) => i.tags['navarch-pool'] === 'inference');
    expect(inference?.region).toBe('local-2');
    const status = await readFile(join(dir, 'status/fleet.yaml'), 'utf8');
    expect(status).toMatch(/placement_note: .*local local-1.* → local local-2/);
  });
});
