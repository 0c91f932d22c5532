/**
 * The AWS SDK is loaded only for repositories that declare an `aws` provider: only the registry's
 * lazy loader imports src/providers/aws, and only that folder imports the SDK. Checked in the
 * source, and at run time with a module hook that refuses to resolve the SDK.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExample, removeDir, ROOT, runCli } from '../../helpers/cli.js';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')).map((e) => join(e.parentPath, e.name));
}

describe('lazy loading of the AWS SDK', () => {
  it('only src/providers/aws imports the SDK, and only the registry imports that folder, dynamically', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(join(ROOT, 'src'))) {
      const rel = relative(ROOT, file);
      const text = await readFile(file, 'utf8');
      const inAws = rel.startsWith('src/providers/aws/');
      if (!inAws && /from '@aws-sdk\//.test(text)) offenders.push(`${rel} imports the AWS SDK`);
      if (!inAws && /from '[^']*providers\/aws\//.test(text)) offenders.push(`${rel} imports src/providers/aws statically`);
      if (!inAws && rel !== 'src/providers/registry.ts' && /import\('[^']*\/aws\/index\.js'\)/.test(text)) offenders.push(`${rel} loads src/providers/aws`);
    }
    expect(offenders).toEqual([]);
  });

  describe('at run time', () => {
    let hooks: string;
    let fakeRepo: string;
    beforeAll(async () => {
      hooks = await mkdtemp(join(tmpdir(), 'navarch-hooks-'));
      await writeFile(
        join(hooks, 'hooks.mjs'),
        "export async function resolve(specifier, context, next) {\n  if (specifier.startsWith('@aws-sdk/')) throw new Error('AWS SDK loaded: ' + specifier);\n  return next(specifier, context);\n}\n",
      );
      await writeFile(join(hooks, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
      fakeRepo = await copyExample('quickstart');
    });
    afterAll(async () => {
      await removeDir(hooks);
      await removeDir(fakeRepo);
    });
    const env = (): Record<string, string> => ({ NODE_OPTIONS: `--import ${join(hooks, 'register.mjs')}` });

    it('`navarch plan` on a fake-cloud repository never resolves the SDK', async () => {
      const run = await runCli(['plan', '--dir', fakeRepo], { env: env() });
      expect(run.stderr).not.toContain('AWS SDK loaded');
      expect(run.code).toBe(0);
    });

    it('the hook does catch a repository that declares an aws provider', async () => {
      const yaml = await readFile(join(fakeRepo, 'navarch.yaml'), 'utf8');
      await writeFile(join(fakeRepo, 'navarch.yaml'), yaml.replace('providers:', 'providers:\n  ec2:\n    type: aws\n    regions: [us-east-1]\n    endpoint: http://127.0.0.1:9'));
      const run = await runCli(['plan', '--dir', fakeRepo], { env: env() });
      expect(run.stdout + run.stderr).toContain('AWS SDK loaded: @aws-sdk/client-ec2');
    });
  });
});
