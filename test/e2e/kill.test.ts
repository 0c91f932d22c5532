/**
 * Crash safety: SIGKILL `navarch apply` at many points and run it again. Whatever the moment of
 * the kill, the fleet must end with exactly the planned nodes: no duplicates, no orphans.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../src/model/index.js';
import { readFakeState } from '../../src/providers/fake/index.js';
import { parseStatus } from '../../src/status/index.js';
import { collect, copyExample, removeDir, runCli, spawnCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await copyExample('quickstart');
  // A slower cloud and more nodes widen the windows a kill can land in.
  await writeFile(
    join(dir, 'navarch.yaml'),
    'fleet: killtest\nproviders:\n  local:\n    type: fake\n    latency: 150ms\n',
  );
  await writeFile(join(dir, 'pools/train.yaml'), 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 6\nmax_nodes: 12\n');
  await writeFile(join(dir, 'pools/inference.yaml'), 'provider: local\ninstance_type: f1.1xh100\nregion: local-2\nmin_nodes: 4\nmax_nodes: 8\n');
});
afterAll(async () => {
  await removeDir(dir);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('apply under SIGKILL', () => {
  it('converges to exactly the planned nodes whatever the moment of the kill', async () => {
    const delays = [40, 120, 200, 260, 330, 400, 480, 560, 650, 800];
    for (const delay of delays) {
      const child = spawnCli(['apply', '--dir', dir, '--auto-approve', '--concurrency', '3']);
      const done = collect(child);
      await sleep(delay);
      child.kill('SIGKILL');
      await done;
    }
    const final = await runCli(['apply', '--dir', dir, '--auto-approve']);
    expect(final.code).toBe(0);
    const again = await runCli(['plan', '--dir', dir, '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);

    const live = (await readFakeState(dir)).instances.filter((i) => i.state !== 'terminated');
    const names = live.map((i) => i.tags['navarch-node'] ?? '');
    expect(new Set(names).size).toBe(names.length); // no duplicates
    expect(live.filter((i) => i.tags['navarch-pool'] === 'train')).toHaveLength(6);
    expect(live.filter((i) => i.tags['navarch-pool'] === 'inference')).toHaveLength(4);
    expect(live.every((i) => i.tags['navarch-fleet'] === 'killtest' && /^(train|inference)-\d+$/.test(i.tags['navarch-node'] ?? ''))).toBe(true);
    // Nothing the status file does not know about.
    const status = await readFile(join(dir, 'status/fleet.yaml'), 'utf8');
    for (const i of live) expect(status).toContain(i.id);
  });
});

/**
 * Scale-down and replacement under SIGKILL. Kill points come from the apply's own progress: it
 * is killed as its plan is printed (0), then as the 1st, 2nd, … progress line appears, each time
 * from the same converged fleet, until an apply runs through without reaching the point. The
 * next apply must finish the job with nothing extra: no duplicate, no orphan, nothing terminated
 * that the plan did not name, no new node thrown away, and a status file that says what exists.
 */
const PROGRESS = /^\s*(\[\d+\/\d+\] )?(-\/\+|[-+~]) [a-z0-9-]+: /;

/** Runs `apply` in `dir` and SIGKILLs it at `point`; resolves true when it was killed, false when it finished first. */
async function applyKilledAt(dir: string, point: number): Promise<boolean> {
  const child = spawnCli(['apply', '--dir', dir, '--auto-approve', '--allow-destroy', '--concurrency', '2']);
  let pending = '';
  let seen = 0;
  child.stdout?.on('data', (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const hit = point === 0 ? line.startsWith('Plan: ') : PROGRESS.test(line) && ++seen === point;
      if (hit) child.kill('SIGKILL');
    }
  });
  const r = await collect(child);
  if (r.signal !== 'SIGKILL') expect(r.code, r.stderr).toBe(0);
  return r.signal === 'SIGKILL';
}

interface Scenario {
  /** Edits the converged repository into the one to apply. */
  change(dir: string): Promise<void>;
  /** Each pool's desired node count and instance type. */
  want: Record<string, { nodes: number; type: string }>;
}

const BASE_POOLS = {
  'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 5\nmax_nodes: 12\n',
  'pools/inference.yaml': 'provider: local\ninstance_type: f1.1xh100\nregion: local-2\nmin_nodes: 3\nmax_nodes: 8\n',
};

const SCENARIOS: Record<string, Scenario> = {
  'a scale-down (train 5 → 2)': {
    change: (d) => writeFile(join(d, 'pools/train.yaml'), BASE_POOLS['pools/train.yaml'].replace('min_nodes: 5', 'min_nodes: 2')),
    want: { train: { nodes: 2, type: 'f1.8xh100' }, inference: { nodes: 3, type: 'f1.1xh100' } },
  },
  'a replacement (-/+: inference changes instance type)': {
    change: (d) => writeFile(join(d, 'pools/inference.yaml'), BASE_POOLS['pools/inference.yaml'].replace('f1.1xh100', 'f1.1xa100')),
    want: { train: { nodes: 5, type: 'f1.8xh100' }, inference: { nodes: 3, type: 'f1.1xa100' } },
  },
};

describe('scale-down and replacement under SIGKILL', () => {
  let base: string;
  let before: Instance[];
  beforeAll(async () => {
    base = await copyExample('quickstart');
    await writeFile(join(base, 'navarch.yaml'), 'fleet: killtest\nproviders:\n  local:\n    type: fake\n    latency: 150ms\n');
    for (const [file, text] of Object.entries(BASE_POOLS)) await writeFile(join(base, file), text);
    expect((await runCli(['apply', '--dir', base, '--auto-approve'])).code).toBe(0);
    before = (await readFakeState(base)).instances.filter((i) => i.state !== 'terminated');
    expect(before).toHaveLength(8);
  });
  afterAll(() => removeDir(base));

  for (const [what, scenario] of Object.entries(SCENARIOS)) {
    it(`converges after a kill at every step of ${what}`, { timeout: 300_000 }, async () => {
      const fresh = async (): Promise<string> => {
        const dir = await mkdtemp(join(tmpdir(), 'navarch-kill-'));
        await cp(base, dir, { recursive: true });
        await scenario.change(dir);
        return dir;
      };
      // What the plan names, once: the instances it may terminate.
      const planned = await fresh();
      const plan = JSON.parse((await runCli(['plan', '--dir', planned, '--json'])).stdout) as { actions: Array<{ kind: string; existing?: { instance_id: string } }> };
      await removeDir(planned);
      const named = plan.actions.filter((a) => a.kind === 'destroy' || a.kind === 'replace').map((a) => a.existing?.instance_id ?? '');
      expect(named.length).toBeGreaterThan(0);

      let killed = 0;
      for (let point = 0; ; point++) {
        const dir = await fresh();
        try {
          const wasKilled = await applyKilledAt(dir, point);
          // A kill never leaves a torn status file.
          const text = await readFile(join(dir, 'status/fleet.yaml'), 'utf8');
          expect(() => parseStatus(text, 'status/fleet.yaml'), `point ${point}`).not.toThrow();
          if (wasKilled) {
            killed++;
            const rerun = await runCli(['apply', '--dir', dir, '--auto-approve', '--allow-destroy']);
            expect(rerun.code, `point ${point}: ${rerun.stderr}`).toBe(0);
          }
          const again = await runCli(['plan', '--dir', dir, '--detailed-exitcode']);
          expect(again.code, `point ${point}: ${again.stdout}`).toBe(0);
          await expectExactly(dir, scenario.want, named, `point ${point}`);
          if (!wasKilled) break;
        } finally {
          await removeDir(dir);
        }
      }
      expect(killed).toBeGreaterThan(4);
    });
  }

  /** The fleet is exactly `want`, the only instances gone are `named`, and the status file lists what exists. */
  async function expectExactly(dir: string, want: Scenario['want'], named: string[], at: string): Promise<void> {
    const all = (await readFakeState(dir)).instances;
    const live = all.filter((i) => i.state !== 'terminated');
    const names = live.map((i) => i.tags['navarch-node'] ?? '');
    expect(new Set(names).size, `${at}: duplicates in ${names.join(', ')}`).toBe(names.length);
    for (const [pool, { nodes, type }] of Object.entries(want)) {
      const inPool = live.filter((i) => i.tags['navarch-pool'] === pool);
      expect(inPool.map((i) => i.instanceType), `${at}: pool ${pool}`).toEqual(Array<string>(nodes).fill(type));
    }
    expect(live.every((i) => i.tags['navarch-fleet'] === 'killtest' && /^(train|inference)-\d+$/.test(i.tags['navarch-node'] ?? '')), at).toBe(true);
    const liveIds = new Set(live.map((i) => i.id));
    const beforeIds = new Set(before.map((i) => i.id));
    expect(before.filter((i) => !liveIds.has(i.id)).map((i) => i.id).sort(), `${at}: terminated`).toEqual([...named].sort());
    expect(all.filter((i) => !beforeIds.has(i.id) && !liveIds.has(i.id)).map((i) => i.tags['navarch-node']), `${at}: created, then thrown away`).toEqual([]);
    const status = parseStatus(await readFile(join(dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
    const recorded = status.nodes.map((n) => `${n.name}=${n.instance_id}`).sort();
    expect(recorded, `${at}: status file`).toEqual(live.map((i) => `${i.tags['navarch-node'] ?? ''}=${i.id}`).sort());
  }
});
