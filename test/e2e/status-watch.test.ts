/**
 * `navarch status --watch` as a process over a directory: it shows the status again when the file
 * changes (an apply or a control plane rewrites it by a rename), and Ctrl-C ends it with exit 0.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatus, serializeStatus } from '../../src/status/index.js';
import { waitFor } from '../agent/agent-process.js';
import { collect, copyExample, removeDir, runCli, spawnCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await copyExample('quickstart');
  expect((await runCli(['apply', '--dir', dir, '--auto-approve'])).code).toBe(0);
});
afterAll(async () => removeDir(dir));

describe('navarch status --watch', () => {
  it('shows the new status when the file is rewritten, and exits 0 on Ctrl-C', { timeout: 60_000 }, async () => {
    const child = spawnCli(['status', '--watch', '--dir', dir]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const done = collect(child);
    await waitFor(() => out.includes('train-2'), 20_000, 'the first view');
    expect(out).toMatch(/^Fleet "quickstart": 3 nodes \(3 ready\), health unknown/);

    // What a control plane writes once an agent reports: a new state, printed again.
    const file = join(dir, 'status/fleet.yaml');
    const status = parseStatus(await readFile(file, 'utf8'), file);
    const [first] = status.nodes;
    if (first) Object.assign(first, { health: 'healthy', agent_version: '0.1.0', gpu_health: { gpus: 1, healthy: 1 } });
    await writeFile(`${file}.tmp`, serializeStatus(status));
    await rename(`${file}.tmp`, file);
    await waitFor(() => out.includes('1/1 ok'), 20_000, 'the view of the new status');

    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(out.match(/^Fleet "quickstart"/gm)).toHaveLength(2);
  });
});
