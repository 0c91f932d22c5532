/** What every command does with a repository that is missing, misplaced or tries to reach outside itself. */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFakeState } from '../providers/fake/index.js';
import { runCommand } from './testing.js';

const QUICKSTART = fileURLToPath(new URL('../../examples/quickstart', import.meta.url));
let scratch: string;
let dir: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'navarch-guards-cli-'));
  dir = join(scratch, 'quickstart');
  await cp(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.navarch') && !src.endsWith('/status') });
});
afterEach(() => rm(scratch, { recursive: true, force: true }));

const live = async () => (await readFakeState(dir)).instances.filter((i) => i.state !== 'terminated');

/** Every command that reads a config repository from `--dir`, as a user would type it. */
const COMMANDS: Array<[string, string[]]> = [
  ['validate', ['validate']],
  ['plan', ['plan']],
  ['apply', ['apply', '--auto-approve']],
  ['apply --commit', ['apply', '--commit', '--auto-approve']],
  ['status', ['status']],
  ['reconcile', ['reconcile', '--once']],
  ['serve', ['serve', '--insecure-dev', '--listen', '127.0.0.1:0']],
  ['gpus --available', ['gpus', '--available']],
  ['force-unlock', ['force-unlock', 'lock-id']],
];

describe('--dir that is not a config repository', () => {
  it.each(COMMANDS)('%s says the directory does not exist, is a file, or has no navarch.yaml', async (_name, args) => {
    const missing = join(scratch, 'nope');
    const file = join(scratch, 'file.txt');
    const empty = join(scratch, 'empty');
    await writeFile(file, 'x\n');
    await mkdir(empty);
    // reconcile reports a failed pass on its pass line (stdout); every other command on stderr.
    const said = async (extra: string[]): Promise<string> => {
      const r = await runCommand([...args, '--dir', ...extra]);
      expect(r.code).toBe(1);
      expect(`${r.out}${r.err}`).not.toContain('navarch.yaml:1:1');
      return args[0] === 'reconcile' ? r.out : r.err;
    };
    const head = args[0] === 'reconcile' ? /\| error: / : /^error: /;
    expect(await said([missing])).toMatch(head);
    expect(await said([missing])).toContain(`directory ${missing} does not exist\n`);
    expect(await said([file])).toContain(`${file} is a file, not a directory\n`);
    if (args.includes('--commit') || args[0] === 'force-unlock') return; // these need a git clone first, and say so
    expect(await said([empty])).toContain(`no navarch.yaml in ${empty}; run \`navarch init ${empty}\` to start one\n`);
  });
});

describe('pool files that are links, folders or pipes', () => {
  it('follows a link inside the repository: validate counts the pool and plan keeps it', async () => {
    await mkdir(join(dir, 'shared'));
    await cp(join(dir, 'pools', 'inference.yaml'), join(dir, 'shared', 'inference.yaml'));
    await rm(join(dir, 'pools', 'inference.yaml'));
    await symlink('../shared/inference.yaml', join(dir, 'pools', 'inference.yaml'));
    expect(await runCommand(['validate', '--dir', dir])).toMatchObject({ code: 0, out: 'navarch.yaml and 2 pools are valid.\n' });
    const applied = await runCommand(['apply', '--dir', dir, '--auto-approve']);
    expect(applied.out).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    const again = await runCommand(['plan', '--dir', dir, '--detailed-exitcode']);
    expect(again.out).toContain('No changes. Your fleet matches the configuration.');
    expect(again.code).toBe(0);
  });

  it('refuses a link that leaves the repository, naming it, and changes nothing', async () => {
    const outside = join(scratch, 'elsewhere.yaml');
    await cp(join(dir, 'pools', 'inference.yaml'), outside);
    await rm(join(dir, 'pools', 'inference.yaml'));
    await symlink(outside, join(dir, 'pools', 'inference.yaml'));
    const v = await runCommand(['validate', '--dir', dir]);
    expect(v.code).toBe(1);
    expect(v.err).toContain(`pools/inference.yaml:1:1: this is a symbolic link to ${outside}, which leaves the repository; only links that resolve inside it are followed`);
    const a = await runCommand(['apply', '--dir', dir, '--auto-approve']);
    expect(a.code).toBe(1);
    expect(a.err).toContain('pools/inference.yaml:1:1: this is a symbolic link');
    expect(await live()).toEqual([]);
  });

  it('names a folder called x.yaml and a FIFO, and never waits on the FIFO', async () => {
    await mkdir(join(dir, 'pools', 'old.yaml'));
    execFileSync('mkfifo', [join(dir, 'pools', 'pipe.yaml')]);
    const v = await runCommand(['validate', '--dir', dir]);
    expect(v).toEqual({
      code: 1,
      out: '',
      err: 'pools/old.yaml:1:1: this is a directory, not a file\npools/pipe.yaml:1:1: this is a named pipe (FIFO), not a file\n2 errors.\n',
    });
    const p = await runCommand(['plan', '--dir', dir]);
    expect(p.code).toBe(1);
    expect(p.err).toContain('error: pools/old.yaml:1:1: this is a directory, not a file');
  });
});

describe('a fake cloud state file outside the repository', () => {
  it('is refused like status_file, and apply writes nothing there', async () => {
    const outside = join(scratch, 'stolen.json');
    const yaml = await readFile(join(dir, 'navarch.yaml'), 'utf8');
    await writeFile(join(dir, 'navarch.yaml'), yaml.replace('    type: fake\n', `    type: fake\n    state_file: ${outside}\n`));
    const a = await runCommand(['apply', '--dir', dir, '--auto-approve']);
    expect(a.code).toBe(1);
    expect(a.err).toBe('error: navarch.yaml:10:17: expected a path inside the repository (relative, without `..`) (at /providers/local/state_file)\n');
    await expect(readFile(outside)).rejects.toThrow(/ENOENT/);
    await writeFile(join(dir, 'navarch.yaml'), yaml.replace('    type: fake\n', '    type: fake\n    state_file: ../stolen.json\n'));
    expect((await runCommand(['validate', '--dir', dir])).err).toContain('navarch.yaml:10:17: expected a path inside the repository');
  });
});
