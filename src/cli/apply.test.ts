import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

describe('files navarch writes', () => {
  it('refuses a status file or fake-cloud state file that would overwrite the config or each other, before any change', async () => {
    const original = await readFile(join(dir, 'navarch.yaml'), 'utf8');
    const cases: Array<[string, RegExp]> = [
      ['status_file: navarch.yaml\n', /^error: navarch\.yaml:\d+:14: `status_file` \("navarch\.yaml"\): navarch\.yaml is the configuration itself/m],
      ['status_file: pools/fleet.yaml\n', /^error: navarch\.yaml:\d+:14: `status_file` \("pools\/fleet\.yaml"\): pools\/ holds configuration navarch reads/m],
      ['status_file: .navarch/fake-cloud.json\n', /names the same file as `providers\.local\.state_file` \(default "\.navarch\/fake-cloud\.json"\)/],
    ];
    for (const [line, message] of cases) {
      await writeFile(join(dir, 'navarch.yaml'), `${original}${line}`);
      const r = await runCommand(['apply', '--dir', dir, '--auto-approve']);
      expect(r.err).toMatch(message);
      expect(r.code).toBe(1);
      expect(await readFile(join(dir, 'navarch.yaml'), 'utf8')).toBe(`${original}${line}`);
      expect(await live()).toEqual([]);
    }
    await writeFile(join(dir, 'navarch.yaml'), original.replace(/^( {4}latency: .*)$/m, '$1\n    state_file: status/fleet.yaml'));
    const shared = await runCommand(['plan', '--dir', dir]);
    expect(shared.err).toMatch(/^error: navarch\.yaml:\d+:17: `providers\.local\.state_file` \("status\/fleet\.yaml"\) names the same file as `status_file` \(default "status\/fleet\.yaml"\)/m);
    expect(shared.code).toBe(1);
  });
});
