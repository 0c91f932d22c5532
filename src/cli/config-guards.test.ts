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

describe('a status file that is not a plain file', () => {
  it('is refused by name rather than read through a FIFO (a hang) or a link out of the repository', async () => {
    await mkdir(join(dir, 'status'));
    execFileSync('mkfifo', [join(dir, 'status', 'fleet.yaml')]);
    for (const args of [['plan'], ['apply', '--auto-approve'], ['status']]) {
      expect(await runCommand([...args, '--dir', dir])).toMatchObject({ code: 1, err: 'error: status/fleet.yaml is a named pipe (FIFO), not a file\n' });
    }
    await rm(join(dir, 'status', 'fleet.yaml'));
    await writeFile(join(scratch, 'elsewhere.yaml'), 'fleet: quickstart\n');
    await symlink(join(scratch, 'elsewhere.yaml'), join(dir, 'status', 'fleet.yaml'));
    const r = await runCommand(['plan', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: status/fleet.yaml is a symbolic link to ${join(scratch, 'elsewhere.yaml')}, which leaves the repository`);
    expect(await live()).toEqual([]);
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

describe('a configuration that names another fleet than the status file', () => {
  const statusOf = (d: string) => readFile(join(d, 'status', 'fleet.yaml'), 'utf8');

  it('refuses to plan on every command, naming both fleets, and changes nothing', async () => {
    expect((await runCommand(['apply', '--dir', dir, '--auto-approve'])).code).toBe(0);
    const before = await statusOf(dir);
    const yaml = await readFile(join(dir, 'navarch.yaml'), 'utf8');
    await writeFile(join(dir, 'navarch.yaml'), yaml.replace('fleet: quickstart', 'fleet: renamed'));
    const refusal =
      'navarch.yaml names fleet "renamed", but status/fleet.yaml records fleet "quickstart" with 3 nodes: planning "renamed" would leave the nodes of "quickstart" running, unmanaged, and start a second fleet beside them. Nothing was changed. ' +
      'To keep managing "quickstart", set `fleet: quickstart` in navarch.yaml. To rename it on purpose, first remove its pools and apply as "quickstart" (its nodes are destroyed), then delete status/fleet.yaml and apply as "renamed".';
    for (const args of [['plan'], ['plan', '--json'], ['apply', '--auto-approve'], ['status'], ['serve', '--insecure-dev', '--listen', '127.0.0.1:0']]) {
      const r = await runCommand([...args, '--dir', dir]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(args.includes('--json') ? (JSON.parse(r.out) as { error: { message: string } }).error.message : r.err).toContain(refusal);
    }
    const rec = await runCommand(['reconcile', '--once', '--dir', dir]);
    expect(rec.code).toBe(1);
    expect(rec.out).toContain(refusal);
    expect(await live()).toHaveLength(3);
    expect(await statusOf(dir)).toBe(before);
  });

  it('refuses a removed `fleet:` when the directory names another fleet, and not when it names the same', async () => {
    expect((await runCommand(['apply', '--dir', dir, '--auto-approve'])).code).toBe(0);
    const yaml = await readFile(join(dir, 'navarch.yaml'), 'utf8');
    await writeFile(join(dir, 'navarch.yaml'), yaml.replace('fleet: quickstart\n', ''));
    // The directory is called quickstart: the default name is the recorded one.
    expect(await runCommand(['plan', '--dir', dir, '--detailed-exitcode'])).toMatchObject({ code: 0 });
    const moved = join(scratch, 'fleet-config');
    await cp(dir, moved, { recursive: true });
    const r = await runCommand(['apply', '--dir', moved, '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `error: navarch.yaml names no \`fleet:\`, so the fleet would be "fleet-config", named after ${moved}, but status/fleet.yaml records fleet "quickstart" with 3 nodes`,
    );
    expect(r.err).toContain('To keep managing "quickstart", set `fleet: quickstart` in navarch.yaml.');
    expect((await readFakeState(moved)).instances.filter((i) => i.state !== 'terminated')).toHaveLength(3);
    expect(await statusOf(moved)).toBe(await statusOf(dir));
  });

  it('plans the new name once the status file is deleted on purpose', async () => {
    expect((await runCommand(['apply', '--dir', dir, '--auto-approve'])).code).toBe(0);
    const yaml = await readFile(join(dir, 'navarch.yaml'), 'utf8');
    await writeFile(join(dir, 'navarch.yaml'), yaml.replace('fleet: quickstart', 'fleet: renamed'));
    await rm(join(dir, 'status', 'fleet.yaml'));
    const r = await runCommand(['plan', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
  });
});

describe('a plan past the size limits', () => {
  const setPool = async (min: number, safety = ''): Promise<void> => {
    const pool = await readFile(join(dir, 'pools', 'train.yaml'), 'utf8');
    await writeFile(join(dir, 'pools', 'train.yaml'), pool.replace('min_nodes: 2\nmax_nodes: 6', `min_nodes: ${min}\nmax_nodes: ${min}`));
    if (safety) await writeFile(join(dir, 'navarch.yaml'), `${await readFile(join(dir, 'navarch.yaml'), 'utf8')}${safety}`);
  };

  it('needs --allow-large past the defaults (1000 nodes a pool, 200 creates), says so in the text and the JSON, and apply changes nothing', async () => {
    await setPool(1500);
    const p = await runCommand(['plan', '--dir', dir, '--no-color']);
    expect(p.code).toBe(0);
    expect(p.out).toContain(
      [
        'Error: this plan needs --allow-large',
        '  - pool "train": would grow to 1500 nodes, more than safety.max_nodes_per_pool (1000)',
        '  - creates 1501 nodes, more than safety.max_create (200) in one apply',
      ].join('\n'),
    );
    const json = JSON.parse((await runCommand(['plan', '--dir', dir, '--json'])).out) as { guards: unknown[] };
    expect(json.guards).toEqual([
      { rule: 'pool-size', pool: 'train', count: 1500, limit: 1000, message: 'pool "train" would grow to 1500 nodes, more than safety.max_nodes_per_pool (1000) allows without --allow-large' },
      { rule: 'create-count', count: 1501, limit: 200, message: 'the plan creates 1501 nodes, more than safety.max_create (200) allows in one apply without --allow-large' },
    ]);
    const a = await runCommand(['apply', '--dir', dir, '--auto-approve']);
    expect(a.code).toBe(1);
    expect(a.err).toContain('error: the plan breaks the size limits; nothing was changed. pool "train" would grow to 1500 nodes');
    expect(a.err).toContain('Re-run with --allow-large if this is intended.');
    expect(await live()).toEqual([]);
    const r = await runCommand(['reconcile', '--once', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error: the plan breaks the size limits; nothing was changed.');
    expect(await live()).toEqual([]);
  });

  it('applies a saved plan past the limits only with --allow-large', async () => {
    await setPool(4, '  max_nodes_per_pool: 3\n  max_create: 2\n');
    const guarded = join(scratch, 'guarded.json');
    expect((await runCommand(['plan', '--dir', dir, '--out', guarded])).code).toBe(0);
    const refused = await runCommand(['apply', '--dir', dir, guarded]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('Re-run with --allow-large');
    expect(await live()).toEqual([]);
    const applied = await runCommand(['apply', '--dir', dir, '--allow-large', guarded]);
    expect(applied.out).toContain('Apply complete! Resources: 5 added, 0 changed, 0 destroyed.');
    expect(await live()).toHaveLength(5);
  });

  it('a plan made with --allow-large shows the limits as passed and applies as saved', async () => {
    await setPool(4, '  max_nodes_per_pool: 3\n  max_create: 2\n');
    const allowed = join(scratch, 'allowed.json');
    const p = await runCommand(['plan', '--dir', dir, '--allow-large', '--out', allowed, '--no-color']);
    expect(p.out).toContain('  - pool "train" would grow to 4 nodes, more than safety.max_nodes_per_pool (3); allowed by --allow-large');
    expect(p.out).toContain('  - the plan creates 5 nodes, more than safety.max_create (2); allowed by --allow-large');
    expect(p.out).not.toContain('Error: this plan needs');
    const a = await runCommand(['apply', '--dir', dir, allowed]);
    expect(a.code).toBe(0);
    expect(await live()).toHaveLength(5);
  });
});
