import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_PLACEHOLDER } from './init.js';
import { runCommand } from './testing.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'navarch-init-'));
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

const run = (...args: string[]) => runCommand(args, { cwd });
const example = (name: string) => readFile(new URL(`../../examples/github/${name}.yml`, import.meta.url), 'utf8');

describe('navarch init', () => {
  it('scaffolds a repository that validates and plans, with the example workflows', async () => {
    const init = await run('init', 'gpu-fleet');
    expect(init.err).toBe('');
    expect(init.code).toBe(0);
    expect(init.out).toContain('Created a navarch config repository in gpu-fleet:\n  navarch.yaml\n  pools/example.yaml\n  .github/workflows/plan.yml');
    expect(init.out).toContain(`replace ${ACTION_PLACEHOLDER} with the navarch action you use`);
    const dir = join(cwd, 'gpu-fleet');
    expect(await readFile(join(dir, 'navarch.yaml'), 'utf8')).toMatch(/^fleet: gpu-fleet /m);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toContain('.navarch/');
    for (const w of ['plan', 'apply', 'drift']) expect(await readFile(join(dir, `.github/workflows/${w}.yml`), 'utf8')).toBe(await example(w));

    const validate = await run('validate', '--dir', 'gpu-fleet');
    expect(validate.out).toBe('navarch.yaml and 1 pool are valid.\n');
    const plan = await run('plan', '--dir', 'gpu-fleet', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.out).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
  });

  it('writes a commented skeleton for each cloud that validates, and names the action given', async () => {
    for (const provider of ['aws', 'gcp', 'lambda']) {
      const init = await run('init', provider, '--provider', provider, '--fleet', 'research', '--action', 'acme/navarch@v1');
      expect(init.code, init.err).toBe(0);
      expect(init.out).not.toContain(ACTION_PLACEHOLDER);
      const yaml = await readFile(join(cwd, provider, 'navarch.yaml'), 'utf8');
      expect(yaml).toContain(`type: ${provider}`);
      expect(yaml).toContain('TODO');
      const validate = await run('validate', '--dir', provider);
      expect(validate.err, provider).toBe('');
      expect(validate.code).toBe(0);
      const apply = parse(await readFile(join(cwd, provider, '.github/workflows/apply.yml'), 'utf8')) as { jobs: { apply: { steps: Array<{ uses: string }> } } };
      expect(apply.jobs.apply.steps.map((s) => s.uses)).toEqual(['actions/checkout@v4', 'acme/navarch@v1']);
    }
  });

  it('refuses to overwrite files unless forced, and adds to an existing .gitignore', async () => {
    await mkdir(join(cwd, 'pools'));
    await writeFile(join(cwd, 'pools/example.yaml'), 'mine\n');
    await writeFile(join(cwd, '.gitignore'), 'node_modules');
    const refused = await run('init');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^error: init would overwrite pools\/example\.yaml in .*; nothing was written\. Use --force to overwrite\.\n$/);
    expect(await readFile(join(cwd, 'pools/example.yaml'), 'utf8')).toBe('mine\n');
    const forced = await run('init', '--force');
    expect(forced.code).toBe(0);
    expect(await readFile(join(cwd, 'pools/example.yaml'), 'utf8')).toContain('min_nodes: 2');
    expect(await readFile(join(cwd, '.gitignore'), 'utf8')).toBe("node_modules\n# navarch's local state (the fake cloud, capacity memory)\n.navarch/\n");
    const again = await run('init', '--force');
    expect(again.out).not.toContain('.gitignore');
  });

  it('checks its options', async () => {
    expect((await run('init', '--provider', 'azure')).err).toBe('error: --provider must be one of fake, aws, gcp, lambda, not "azure"\n');
    expect((await run('init', '--fleet', 'GPU_Fleet')).err).toContain('--fleet must be lowercase letters');
    expect((await run('init', '--action', 'navarch')).err).toBe('error: --action must look like owner/repo@ref, not "navarch"\n');
  });
});
