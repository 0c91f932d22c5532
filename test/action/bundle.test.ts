/**
 * The committed bundle is what the sources build, byte for byte, and action.yml matches the code:
 * node24, the bundle as entry, and exactly the inputs and outputs the action reads and sets.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareWithBuild } from '../../scripts/build-action.mjs';
import { ROOT } from '../helpers/cli.js';

interface ActionYaml {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
}

async function sources(): Promise<string> {
  const dir = join(ROOT, 'src/action');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  return (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
}

describe('the action bundle', () => {
  it('is exactly what the sources build (run `npm run build:action` and commit dist/ when this fails)', async () => {
    expect(await compareWithBuild(join(ROOT, 'dist/action'))).toEqual([]);
  });

  it('runs on node24 from the bundle, with the inputs and outputs the code uses', async () => {
    const action = parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as ActionYaml;
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action/index.js' });
    const code = await sources();
    const read = [...code.matchAll(/input\('([a-z-]+)'\)/g)].map((m) => m[1]).sort();
    const set = [...code.matchAll(/setOutput\('([a-z-]+)'/g)].map((m) => m[1]);
    expect([...new Set(read)]).toEqual(Object.keys(action.inputs).sort());
    expect([...new Set(set)].sort()).toEqual(Object.keys(action.outputs).sort());
    for (const [name, spec] of Object.entries({ ...action.inputs, ...action.outputs })) expect(spec.description, name).toBeTruthy();
  });
});
