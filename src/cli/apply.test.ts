import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFakeState } from '../providers/fake/index.js';
import { runCommand } from './testing.js';

const QUICKSTART = fileURLToPath(new URL('../../examples/quickstart', import.meta.url));
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-apply-cli-'));
  await cp(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.navarch') && !src.endsWith('/status') });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const live = async () => (await readFakeState(dir)).instances.filter((i) => i.state !== 'terminated');

describe('navarch apply on a terminal', () => {
  it('applies only after the user types yes', async () => {
    const r = await runCommand(['apply', '--dir', dir, '--no-color'], { tty: true, input: 'yes\n' });
    expect(r.out).toContain("Only 'yes' will be accepted to approve.");
    expect(r.out).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    expect(r.code).toBe(0);
    expect(await live()).toHaveLength(3);
  });

  it('changes nothing on any other answer', async () => {
    const r = await runCommand(['apply', '--dir', dir, '--no-color'], { tty: true, input: 'y\n' });
    expect(r.out).toContain('Apply cancelled.');
    expect(r.code).toBe(1);
    expect(await live()).toEqual([]);
  });

  it('rejects a bad --concurrency before any change', async () => {
    const r = await runCommand(['apply', '--dir', dir, '--auto-approve', '--concurrency', 'lots']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--concurrency must be a positive whole number');
    expect((await readFakeState(dir)).instances).toEqual([]);
  });
});
