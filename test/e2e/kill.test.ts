/**
 * Crash safety: SIGKILL `navarch apply` at many points and run it again. Whatever the moment of
 * the kill, the fleet must end with exactly the planned nodes: no duplicates, no orphans.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFakeState } from '../../src/providers/fake/index.js';
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
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(join(dir, 'status/fleet.yaml'), 'utf8');
    for (const i of live) expect(status).toContain(i.id);
  });
});
