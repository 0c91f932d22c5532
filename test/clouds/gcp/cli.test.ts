/**
 * `navarch apply` and `navarch plan` from a user's seat on a GCP repository: the built CLI as a
 * process, talking to the loopback Compute Engine API with a service-account key from
 * GOOGLE_APPLICATION_CREDENTIALS. A stock-out in the first zone moves the node to the next one,
 * and says so in the output and the status file.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parseStatus } from '../../../src/status/index.js';
import { runCli } from '../../helpers/cli.js';
import { contractFault, PROJECT, startGcp, type GcpTestbed } from './harness.js';

let bed: GcpTestbed;
let repo: string;
beforeEach(async () => {
  bed = await startGcp();
  repo = await mkdtemp(join(tmpdir(), 'navarch-gcp-repo-'));
  await mkdir(join(repo, 'pools'));
  await writeFile(
    join(repo, 'navarch.yaml'),
    `fleet: research\nproviders:\n  gcp-central:\n    type: gcp\n    project: ${PROJECT}\n    endpoint: ${bed.server.url}\n    disk_size_gb: 100\n`,
  );
  await writeFile(
    join(repo, 'pools/train.yaml'),
    [
      'providers:',
      '  - name: gcp-central',
      '    regions: [us-central1]',
      '    zones: [us-central1-a, us-central1-b]',
      'instance_type: g2-standard-4',
      'min_nodes: 2',
      'max_nodes: 4',
      'labels: { team: research }',
      '',
    ].join('\n'),
  );
});
afterEach(async () => {
  await bed.close();
  await rm(repo, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({ GOOGLE_APPLICATION_CREDENTIALS: bed.key.file, HOME: repo, METADATA_SERVER_DETECTION: 'none' });

it('applies through a zone stock-out, records the move, then plans no changes', async () => {
  bed.server.fail('insert', contractFault('provision', 'capacity', 'us-central1-a'));
  const applied = await runCli(['apply', '--dir', repo, '--auto-approve', '--concurrency', '1'], { env: env() });
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  expect(applied.stdout).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
  expect(applied.stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
  expect(applied.stdout).toContain('ZONE_RESOURCE_POOL_EXHAUSTED');

  const zones = [...bed.server.state.instances.values()].map((i) => `${i.labels['navarch-node']}@${i.zone}`).sort();
  expect(zones).toEqual(['train-1@us-central1-b', 'train-2@us-central1-a']);

  const statusText = await readFile(join(repo, 'status/fleet.yaml'), 'utf8');
  const status = parseStatus(statusText, 'status/fleet.yaml');
  const moved = status.nodes.find((n) => n.name === 'train-1');
  expect(moved).toMatchObject({ provider: 'gcp-central', region: 'us-central1', zone: 'us-central1-b' });
  expect(statusText).toContain('gcp-central us-central1-a: ZONE_RESOURCE_POOL_EXHAUSTED → gcp-central us-central1-b');

  const again = await runCli(['plan', '--dir', repo, '--detailed-exitcode'], { env: env() });
  expect(again.stderr).toBe('');
  expect(again.stdout).toContain('No changes.');
  expect(again.code).toBe(0);

  for (const text of [applied.stdout, applied.stderr, statusText, again.stdout]) {
    for (const line of bed.key.privateKeyPem.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(text).not.toContain(line);
    for (const token of bed.server.tokensSeen) expect(text).not.toContain(token);
  }
});

it('reports missing credentials on the provider and exits 1, without crashing or calling the API', async () => {
  const run = await runCli(['plan', '--dir', repo], { env: { HOME: repo, METADATA_SERVER_DETECTION: 'none' } });
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^error: provider "gcp-central" could not be listed: listing instances: no usable Google credentials/);
  expect(run.stdout).toMatch(/provider "gcp-central" could not be listed \(listing instances: no usable Google credentials: Could not load the default credentials/);
  expect(bed.server.requests).toHaveLength(0);
});
