/**
 * The Google client libraries load only when a GCP provider is built: a process that drives only
 * the fake cloud (as `navarch plan` on the quickstart does) never loads them. Run against the
 * built CLI's modules in a fresh process, so nothing else has loaded them first.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';

const SCRIPT = `
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { createProvider } = await import(process.argv[1]);
const { silentLogger } = await import(process.argv[2]);
const { systemClock } = await import(process.argv[3]);
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('@google-cloud/compute') || p.includes('google-gax'));
const ctx = { root: mkdtempSync(join(tmpdir(), 'navarch-lazy-')), clock: systemClock, logger: silentLogger, env: {} };
const source = { file: 'navarch.yaml', line: 1, column: 1 };
await createProvider({ name: 'local', type: 'fake', settings: {}, source }, ctx);
const afterFake = loaded();
await createProvider({ name: 'gcp', type: 'gcp', settings: { project: 'my-project-123', endpoint: 'http://127.0.0.1:9' }, source }, ctx);
process.stdout.write(JSON.stringify({ afterFake, afterGcp: loaded() }));
`;

it('loads @google-cloud/compute only when a gcp provider is built', async () => {
  const lib = (p: string): string => pathToFileURL(join(ROOT, 'lib/src', p)).href;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', SCRIPT, lib('providers/index.js'), lib('log/index.js'), lib('model/index.js')],
    { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' } },
  );
  expect(JSON.parse(stdout)).toEqual({ afterFake: false, afterGcp: true });
});
