import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../model/index.js';
import { runCommand } from './testing.js';

const FIXTURES = fileURLToPath(new URL('../config/fixtures/', import.meta.url));

const run = (...args: string[]) => runCommand(['validate', ...args], { cwd: FIXTURES, clock: new ManualClock(0) });

describe('navarch validate', () => {
  it('exits 0 and summarises a valid repository', async () => {
    expect(await run('--dir', 'quickstart')).toEqual({ code: 0, out: 'navarch.yaml and 2 pools, 1 job are valid.\n', err: '' });
  });

  it('exits 1 and prints each problem as file:line:column: message (at path) on stderr', async () => {
    const { code, out, err } = await run('--dir', 'broken');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(
      [
        'navarch.yaml:4:5: `api_key` looks like a secret, and secrets are never read from navarch.yaml (it is committed to git); the fake cloud needs no credentials (at /providers/local/api_key)',
        'pools/train.yaml:3:1: unknown key `min_node`; did you mean `min_nodes`? (at /pools/train/min_node)',
        '2 errors.',
        '',
      ].join('\n'),
    );
    expect(err).not.toContain('do-not-put-me-here');
  });

  it('prints {valid, errors} as JSON with --json', async () => {
    const bad = await run('--dir', 'broken', '--json');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('');
    expect(JSON.parse(bad.out)).toEqual({
      valid: false,
      errors: [
        {
          file: 'navarch.yaml',
          line: 4,
          column: 5,
          path: '/providers/local/api_key',
          message:
            '`api_key` looks like a secret, and secrets are never read from navarch.yaml (it is committed to git); the fake cloud needs no credentials',
        },
        { file: 'pools/train.yaml', line: 3, column: 1, path: '/pools/train/min_node', message: 'unknown key `min_node`; did you mean `min_nodes`?' },
      ],
    });
    const good = await run('--dir', 'quickstart', '--json');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toEqual({ valid: true, errors: [] });
  });

  it('defaults --dir to the working directory and reports a missing navarch.yaml', async () => {
    const cwd = fileURLToPath(new URL('../config/fixtures/quickstart/pools', import.meta.url));
    const { code, out } = await runCommand(['validate', '--json'], { cwd });
    expect(code).toBe(1);
    const parsed = JSON.parse(out) as { error: { code: string; message: string } };
    expect(parsed.error).toMatchObject({ code: 'config.missing', message: `no navarch.yaml in ${cwd}; run \`navarch init ${cwd}\` to start one` });
  });

  it('summarises a repository without pools or jobs', async () => {
    expect(await run('--dir', 'minimal')).toEqual({ code: 0, out: 'navarch.yaml is valid.\n', err: '' });
  });
});
