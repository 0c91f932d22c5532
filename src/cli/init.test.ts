import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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
    expect(init.out).not.toContain('Cloud provider'); // not a terminal: nothing is asked
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

  it('asks for the cloud, GPU and pool size on a terminal, and writes what was answered', async () => {
    const init = await runCommand(['init', 'gpu-fleet'], { cwd, tty: true, input: 'lambda\nh100\n3\n' });
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain('Cloud provider (fake, aws, gcp, lambda) [fake]: ');
    expect(init.out).toMatch(/GPU model \([a-z0-9, -]*h100[a-z0-9, -]*\) \[h100\]: /);
    expect(init.out).toContain('Nodes in the pool [2]: ');
    const pool = parse(await readFile(join(cwd, 'gpu-fleet/pools/example.yaml'), 'utf8')) as Record<string, unknown>;
    expect(pool).toMatchObject({ provider: 'lambda', gpu: 'h100', gpus: 1, region: 'us-east-1', min_nodes: 3, max_nodes: 6 });
    expect(await readFile(join(cwd, 'gpu-fleet/navarch.yaml'), 'utf8')).toContain('    type: lambda ');
    const validate = await run('validate', '--dir', 'gpu-fleet');
    expect(validate.err).toBe('');
    expect(validate.code).toBe(0);
  });

  it('asks again after an answer it cannot use; an empty answer takes the default', async () => {
    const init = await runCommand(['init', 'gpu-fleet'], { cwd, tty: true, input: '\nl5\na100\nmany\n\n' });
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain('  --gpu: navarch\'s catalog has no fake instance type with GPU "l5"');
    expect(init.out).toContain('  --nodes must be a whole number from 1 to 1000, not "many"');
    const pool = parse(await readFile(join(cwd, 'gpu-fleet/pools/example.yaml'), 'utf8')) as Record<string, unknown>;
    expect(pool).toMatchObject({ provider: 'local', gpu: 'a100', gpus: 8, region: 'local-1', min_nodes: 2, max_nodes: 4 });
    const plan = await run('plan', '--dir', 'gpu-fleet', '--detailed-exitcode');
    expect(plan.code, plan.err).toBe(2);
    expect(plan.out).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
  });

  it('asks nothing when the flags answer, on a terminal too', async () => {
    const init = await runCommand(['init', 'gpu-fleet', '--provider', 'gcp', '--gpu', 'H100', '--nodes', '1'], { cwd, tty: true, input: '' });
    expect(init.code, init.err).toBe(0);
    expect(init.out).not.toContain(']: ');
    const pool = parse(await readFile(join(cwd, 'gpu-fleet/pools/example.yaml'), 'utf8')) as Record<string, unknown>;
    expect(pool).toMatchObject({ provider: 'gcp', gpu: 'h100', gpus: 1, min_nodes: 1, max_nodes: 2 });
    const navarch = parse(await readFile(join(cwd, 'gpu-fleet/navarch.yaml'), 'utf8')) as { providers: { gcp: { regions: string[] } } };
    expect(navarch.providers.gcp.regions).toEqual([pool['region']]);
    expect((await run('validate', '--dir', 'gpu-fleet')).code).toBe(0);
  });

  it('writes nothing when the input ends before every question is answered', async () => {
    const init = await runCommand(['init', 'gpu-fleet'], { cwd, tty: true, input: 'aws\n' });
    expect(init.code).toBe(1);
    expect(init.err).toBe('error: init needs an answer to each question (or --provider, --gpu and --nodes); nothing was written\n');
    await expect(readFile(join(cwd, 'gpu-fleet/navarch.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('points each file at its schema with a path that resolves to the copy it writes', async () => {
    expect((await run('init', 'gpu-fleet')).code).toBe(0);
    for (const [file, schema] of [['navarch.yaml', 'navarch'], ['pools/example.yaml', 'pool']] as const) {
      const path = join(cwd, 'gpu-fleet', file);
      const first = (await readFile(path, 'utf8')).split('\n')[0] ?? '';
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, file).not.toBeNull();
      const copy = await readFile(resolve(dirname(path), m?.[1] ?? ''), 'utf8');
      expect(copy).toBe(await readFile(new URL(`../../schemas/${schema}.schema.json`, import.meta.url), 'utf8'));
    }
    expect(await readFile(join(cwd, 'gpu-fleet/schemas/job.schema.json'), 'utf8')).toContain('"$id"');
  });

  it('refuses a GPU or pool size it cannot use, before asking or writing anything', async () => {
    expect((await run('init', '--provider', 'aws', '--gpu', 'a10')).err).toBe('error: --gpu: navarch\'s catalog has no aws instance type with GPU "a10" (aws has h100, h200, a100, a100-80gb, b200, l4, l40s, a10g)\n');
    expect((await run('init', '--nodes', '0')).err).toBe('error: --nodes must be a whole number from 1 to 1000, not "0"\n');
    await expect(readFile(join(cwd, 'navarch.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
