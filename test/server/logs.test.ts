/**
 * `navarch serve` as a process writes one log, on one stream, in one format: every line a record
 * with its time, whether JSON (no key twice) or text, and what it did (the reconcile, the actions
 * it applied, the insecure-mode warning) among them.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { duplicateKey } from '../../src/log/testing.js';
import { waitFor } from '../agent/agent-process.js';
import { startServeProcess, type ServeProcess } from '../helpers/serve.js';

let dir: string;
let serve: ServeProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-logs-'));
  await mkdir(join(dir, 'pools'));
  await writeFile(join(dir, 'navarch.yaml'), 'fleet: logs\nproviders:\n  local: { type: fake, latency: 0s }\n');
  await writeFile(join(dir, 'pools/train.yaml'), 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 2\nmax_nodes: 2\n');
});
afterEach(async () => {
  await serve?.stop();
  serve = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Runs serve until its first reconcile has applied, then stops it; returns what each stream got. */
async function run(args: string[]): Promise<{ stdout: string; lines: string[] }> {
  serve = await startServeProcess(dir, { env: {}, args: ['--insecure-dev', '--interval', '1h', ...args] });
  const s = serve;
  await waitFor(() => s.stderr().includes('reconcile done'), 30_000, 'the first reconcile');
  expect(await s.stop()).toBe(0);
  const lines = s.stderr().split('\n');
  expect(lines.pop()).toBe('');
  return { stdout: s.stdout(), lines };
}

describe('navarch serve logs', () => {
  it('--log-format json: only JSON records on stderr, each with a time and no key twice', { timeout: 60_000 }, async () => {
    const { stdout, lines } = await run(['--log-format', 'json']);
    expect(stdout).toBe('');
    const records = lines.map((line) => {
      expect(duplicateKey(line), line).toBeUndefined();
      const r = JSON.parse(line) as { time: unknown; level: unknown; msg: unknown };
      expect(typeof r.time, line).toBe('number');
      expect(typeof r.level, line).toBe('number');
      return r as Record<string, unknown>;
    });
    const msgs = records.map((r) => r['msg']);
    expect(msgs).toEqual(expect.arrayContaining(['action started', 'action done', 'reconcile done', 'stopped']));
    expect(records.find((r) => r['msg'] === 'reconcile done')).toMatchObject({ component: 'control-plane', result: 'applied', actions: 2 });
    expect(records.find((r) => r['msg'] === 'action done')).toMatchObject({ component: 'control-plane', action: 'create', pool: 'train' });
    expect(records.find((r) => String(r['msg']).startsWith('INSECURE DEVELOPMENT MODE'))).toMatchObject({ level: 40, component: 'serve' });
    expect(records.find((r) => String(r['msg']).startsWith('listening on http://127.0.0.1:'))).toMatchObject({ level: 30, address: serve?.url });
  });

  it('--log-format text: every line starts with its time and level', { timeout: 60_000 }, async () => {
    const { stdout, lines } = await run(['--log-format', 'text', '--log-level', 'debug']);
    expect(stdout).toBe('');
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S/);
    expect(lines.some((l) => /DEBUG reconcile started component=control-plane reason=interval$/.test(l))).toBe(true);
    expect(lines.some((l) => /INFO {2}reconcile done component=control-plane result=applied actions=2 /.test(l))).toBe(true);
  });

  it('defaults to JSON off a terminal, and refuses a format it does not know', { timeout: 60_000 }, async () => {
    const { lines } = await run([]);
    for (const line of lines) expect(duplicateKey(line)).toBeUndefined();
    await expect(startServeProcess(dir, { env: {}, args: ['--insecure-dev', '--log-format', 'xml'] })).rejects.toThrow(/argument 'xml' is invalid. Allowed choices are text, json/);
  });
});
