/**
 * One table of exit codes for every command (README "Exit codes", `EXIT`): 0 success, 1 any error
 * (a usage error such as an unknown flag included), 2 changes present with `plan --detailed-exitcode`.
 * Each command is run on a copy of the quickstart once to succeed and once to fail.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentMain, type AgentCliContext } from '../../agent/index.js';
import { acquireLock, directoryLockStore } from '../git/index.js';
import { EXIT, systemClock } from '../model/index.js';
import { buildProgram } from './main.js';
import { runCommand } from './testing.js';

const QUICKSTART = fileURLToPath(new URL('../../examples/quickstart', import.meta.url));

let dir: string;
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'navarch-exit-codes-'));
  dir = join(scratch, 'fleet');
  await cp(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.navarch') && !src.endsWith('/status') });
  const yaml = await readFile(join(dir, 'navarch.yaml'), 'utf8');
  await writeFile(join(dir, 'navarch.yaml'), yaml.replace('latency: 300ms', 'latency: 0s'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const quietTree = { write: (): void => undefined, isTTY: false };
const TREE = await buildProgram({ stdout: quietTree, stderr: quietTree, stdin: new PassThrough(), env: {}, cwd: '.', clock: systemClock, exitCode: 0 });

/** Every command of the program (`token node`, not `token`), from its command tree. */
function commands(): string[] {
  const out: string[] = [];
  const walk = (cmd: Command, path: string[]): void => {
    if (cmd.commands.length === 0 && path.length > 0) out.push(path.join(' '));
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(TREE, []);
  return out;
}

const SECRET = { NAVARCH_NODE_SECRET: 'a-secret-long-enough-for-tests-0123456789' };

/** [what, argv (with `DIR` for the quickstart copy, `NEW` for a fresh directory), env, expected code], run in this order. */
const CASES: Array<[string, string[], Record<string, string>, number]> = [
  ['init creates a repository', ['init', 'NEW'], {}, EXIT.ok],
  ['init refuses to overwrite it', ['init', 'NEW'], {}, EXIT.error],
  ['validate passes a valid repository', ['validate', '-d', 'DIR'], {}, EXIT.ok],
  ['validate fails a missing one', ['validate', '-d', 'NEW/nowhere'], {}, EXIT.error],
  ['status fails before any apply', ['status', '-d', 'DIR'], {}, EXIT.error],
  ['plan succeeds with changes', ['plan', '-d', 'DIR'], {}, EXIT.ok],
  ['plan --detailed-exitcode says changes are present', ['plan', '-d', 'DIR', '--detailed-exitcode'], {}, EXIT.changes],
  ['apply refuses off a terminal without --auto-approve', ['apply', '-d', 'DIR'], {}, EXIT.error],
  ['apply applies', ['apply', '-d', 'DIR', '--auto-approve'], {}, EXIT.ok],
  ['plan --detailed-exitcode says no changes', ['plan', '-d', 'DIR', '--detailed-exitcode'], {}, EXIT.ok],
  ['status shows the fleet', ['status', '-d', 'DIR'], {}, EXIT.ok],
  ['reconcile --once runs a pass', ['reconcile', '-d', 'DIR', '--once'], {}, EXIT.ok],
  ['reconcile refuses a bad interval', ['reconcile', '-d', 'DIR', '--once', '--interval', 'soon'], {}, EXIT.error],
  ['force-unlock refuses a lock id that is not the lock', ['force-unlock', '00000000-0000-4000-8000-000000000000', '-d', 'DIR'], {}, EXIT.error],
  ['gpus lists the catalog', ['gpus', '--gpu', 'h100'], {}, EXIT.ok],
  ['gpus refuses an unknown GPU', ['gpus', '--gpu', 'h1000'], {}, EXIT.error],
  ['serve refuses a bad interval', ['serve', '-d', 'DIR', '--interval', 'soon'], {}, EXIT.error],
  ['token node prints a token', ['token', 'node', 'train-1'], SECRET, EXIT.ok],
  ['token node fails without a secret', ['token', 'node', 'train-1'], {}, EXIT.error],
  ['--version', ['--version'], {}, EXIT.ok],
  ['an unknown command', ['deploy'], {}, EXIT.error],
];

describe('navarch exit codes', () => {
  it.each(CASES)('%s', async (_what, argv, env, code) => {
    const args = argv.map((a) => a.replace(/^DIR/, dir).replace(/^NEW/, join(scratch, 'new')));
    const r = await runCommand(args, { env });
    expect(r.code, `${r.out}\n${r.err}`).toBe(code);
    if (code === EXIT.error) expect(r.err || r.out).toMatch(/error/);
  });

  it('force-unlock clears the lock it names', async () => {
    const held = await acquireLock({ store: directoryLockStore(dir), clock: systemClock, fleet: 'quickstart', holder: 'ada@laptop pid 1', command: 'navarch apply' });
    expect((await runCommand(['force-unlock', held.id, '-d', dir])).code).toBe(EXIT.ok);
  });

  it.each(commands())(
    '%s: an unknown flag is a usage error, exit 1; --help is exit 0',
    async (command) => {
      const words = command.split(' ');
      const bad = await runCommand([...words, '--frobnicate']);
      expect(bad.code).toBe(EXIT.error);
      expect(bad.err).toContain("error: unknown option '--frobnicate'");
      expect((await runCommand([...words, '--help'])).code).toBe(EXIT.ok);
    },
  );
});

describe('navarch-agent exit codes', () => {
  async function agent(args: string[]): Promise<number> {
    const stdin = new PassThrough();
    stdin.end('');
    const quiet = { write: (): void => undefined };
    const ctx: AgentCliContext = { stdout: quiet, stderr: quiet, stdin, env: {}, exitCode: 0 };
    return agentMain(['node', 'navarch-agent', ...args], ctx);
  }

  it.each([
    ['check passes', ['check', '--fake-gpus', '2'], EXIT.ok],
    ['check fails a failed check', ['check', '--fake-gpus', '2', '--expect-gpus', '8'], EXIT.error],
    ['xid parse reads stdin', ['xid', 'parse'], EXIT.ok],
    ['an unknown flag', ['check', '--frobnicate'], EXIT.error],
    ['--help', ['check', '--help'], EXIT.ok],
    ['--version', ['--version'], EXIT.ok],
  ] as const)('%s', async (_what, args, code) => {
    expect(await agent([...args])).toBe(code);
  });
});
