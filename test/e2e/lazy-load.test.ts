/**
 * `navarch plan` on a repository that uses only the fake cloud must not load any cloud SDK: they
 * are large, and loading them would slow every plan for nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, copyExample, removeDir, ROOT } from '../helpers/cli.js';
import { spawn } from 'node:child_process';

let dir: string;
beforeAll(async () => {
  dir = await copyExample('quickstart');
});
afterAll(() => removeDir(dir));

describe('lazy loading', () => {
  it('plans the quickstart without loading the AWS or GCP SDKs', async () => {
    const record = join(dir, 'imports.txt');
    const child = spawn(process.execPath, ['--import', join(ROOT, 'test/helpers/record-imports.mjs'), join(ROOT, 'bin/navarch.js'), 'plan', '--dir', dir], {
      env: { ...process.env, NAVARCH_RECORD_IMPORTS: record, NO_COLOR: '1' },
    });
    const r = await collect(child);
    expect(r.code).toBe(0);
    const urls = (await readFile(record, 'utf8')).split('\n').filter(Boolean);
    expect(urls.some((u) => u.includes('/lib/src/plan/'))).toBe(true); // the recorder works
    expect(urls.filter((u) => /@aws-sdk|@google-cloud|google-gax|@smithy/.test(u))).toEqual([]);
    expect(urls.filter((u) => /\/providers\/(aws|gcp|lambda)\//.test(u))).toEqual([]);
  });
});
