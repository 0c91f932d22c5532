import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, type TestRun } from './testing.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-available-'));
  // The fake cloud reports availability from its capacity limits: the 8x H100 is full in local-1.
  await writeFile(join(dir, 'navarch.yaml'), 'fleet: lab\nproviders:\n  local:\n    type: fake\n    capacity:\n      f1.8xh100: { local-1: 0 }\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const gpus = (args: string[]): Promise<TestRun> => runCommand(['gpus', ...args]);

describe('navarch gpus --available on the fake cloud', () => {
  it('lists every cloud the repository declares, with only the regions that have capacity', async () => {
    const r = await gpus(['--available', '--dir', dir, '--json']);
    expect(r.err).toBe('');
    const doc = JSON.parse(r.out) as { instance_types: Array<{ provider: string; instance_type: string; regions: Array<{ region: string }> }> };
    const h100 = doc.instance_types.find((t) => t.instance_type === 'f1.8xh100');
    expect(h100?.regions.map((g) => g.region)).toEqual(['local-2']);
    expect(doc.instance_types.every((t) => t.provider === 'fake')).toBe(true);
    expect(doc.instance_types.filter((t) => t.instance_type !== 'f1.8xh100').every((t) => t.regions.length === 2)).toBe(true);
  });

  it('leaves the catalog listing as it was without --available', async () => {
    const r = await gpus(['--dir', dir, '--provider', 'fake', '--json']);
    const doc = JSON.parse(r.out) as { availability?: unknown; instance_types: Array<{ instance_type: string; regions: unknown[] }> };
    expect(doc.availability).toBeUndefined();
    expect(doc.instance_types.find((t) => t.instance_type === 'f1.8xh100')?.regions).toHaveLength(2);
  });

  it('describes --available in --help', async () => {
    const r = await gpus(['--help']);
    expect(r.out).toContain('--available');
    expect(r.out).toContain('--dir <dir>');
  });
});
