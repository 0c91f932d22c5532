/**
 * Both packages as a user gets them: `npm pack` each (navarch and its workspace navarch-agent),
 * install each tarball into an empty folder, and run what they install. What is packed is what
 * global-setup built (lib/, agent/dist/), so packing skips the build scripts: a rebuild here would
 * rewrite lib/ under the tests running beside this one.
 *
 * Slow by nature (two real installs, from the npm cache when it is warm, from the registry when
 * not): one file, one install per package.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is a result, not an exception. */
function run(cmd: string, args: string[], cwd: string): Promise<Run> {
  // npm_* variables of an enclosing `npm test` (workspace, prefix...) would change what npm does here.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { ...env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Bytes of every file under `dir`, links not followed. */
async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(p);
    else if (entry.isFile()) total += (await lstat(p)).size;
  }
  return total;
}

interface Packed {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

const VERSION = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TIMEOUT = 600_000;

let work: string;
let packed: Packed[];
const probes: string[] = [];

/** Installs one tarball into an empty folder and returns the folder. */
async function installInto(name: string, tarball: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `${name}-install`, private: true }));
  const r = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], dir);
  expect(r.stderr.replace(/^npm warn.*\n?/gim, ''), `npm install ${tarball}`).toBe('');
  expect(r.code).toBe(0);
  return dir;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'navarch-pack-'));
  // Local state a quickstart run leaves in examples/ must never ship: make sure there is some.
  for (const rel of ['examples/quickstart/.navarch', 'examples/quickstart/status']) {
    const path = join(ROOT, rel);
    if (existsSync(path)) continue;
    await mkdir(path);
    probes.push(path);
    await writeFile(join(path, 'fleet.yaml'), '{}\n');
  }
  try {
    const r = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work, '--workspaces', '--include-workspace-root'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    packed = JSON.parse(r.stdout) as Packed[];
  } finally {
    for (const p of probes) await rm(p, { recursive: true, force: true });
  }
}, TIMEOUT);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const tarball = (name: string): Packed => {
  const p = packed.find((x) => x.name === name);
  if (!p) throw new Error(`${name} was not packed`);
  return p;
};

describe('npm pack', { timeout: TIMEOUT }, () => {
  it('packs navarch and navarch-agent at one version, without tests, source maps, the Action or local state', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(['navarch', 'navarch-agent']);
    for (const p of packed) expect(p.filename).toBe(`${p.name}-${VERSION}.tgz`);
    const main = tarball('navarch').files.map((f) => f.path);
    expect(main).toContain('lib/src/index.js');
    expect(main).toContain('lib/src/index.d.ts');
    expect(main).toContain('agent/dist/main.js');
    const shouldNot = (f: string): boolean =>
      /\.test\.|(^|\/)testing\.|\.map$|^test\/|^src\/|^agent\/(?!dist\/)|^dist\/|^lib\/src\/(action|github)\/|\.navarch\/|^examples\/[^/]+\/status\//.test(f);
    expect(main.filter(shouldNot)).toEqual([]);
    expect(tarball('navarch-agent').files.map((f) => f.path).sort()).toEqual(['README.md', 'bin/navarch-agent.js', 'dist/main.js', 'dist/nvml-worker.js', 'package.json']);
  });
});

describe('navarch-agent installed from its tarball', { timeout: TIMEOUT }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await installInto('agent', join(work, tarball('navarch-agent').filename));
  }, TIMEOUT);

  it('runs its boot checks on fake GPUs', async () => {
    const r = await run(join(dir, 'node_modules/.bin/navarch-agent'), ['check', '--fake-gpus', '2'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 GPU(s) through fake');
    expect((await run(join(dir, 'node_modules/.bin/navarch-agent'), ['--version'], dir)).stdout.trim()).toBe(VERSION);
  });

  it('can load its NVML binding, and installs no cloud SDK, server or CLI: under 30 MB', async () => {
    expect((await run(process.execPath, ['-e', "import('koffi').then((k) => process.exit(typeof k.default.load === 'function' ? 0 : 1))"], dir)).code).toBe(0);
    const top = await readdir(join(dir, 'node_modules'));
    expect(top.filter((p) => /^(navarch|fastify|@aws-sdk|@google-cloud|@octokit|@actions|isomorphic-git|ajv)$/.test(p))).toEqual([]);
    expect(await bytesUnder(join(dir, 'node_modules'))).toBeLessThan(30 * 1024 * 1024);
  });
});

describe('navarch installed from its tarball', { timeout: TIMEOUT }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await installInto('main', join(work, tarball('navarch').filename));
  }, TIMEOUT);

  it('creates a config repository and plans it', async () => {
    const bin = join(dir, 'node_modules/.bin/navarch');
    const init = await run(bin, ['init', 'demo'], dir);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const plan = await run(bin, ['plan', '--dir', 'demo'], dir);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
  });

  it("is importable as a library, with the Action's packages left out", async () => {
    const probe = "import('navarch').then((m) => process.stdout.write([m.loadConfig, m.plan, m.apply].map((f) => typeof f).join(' ')))";
    const r = await run(process.execPath, ['-e', probe], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('function function function');
    const top = await readdir(join(dir, 'node_modules'));
    expect(top.filter((p) => p === '@actions' || p === '@octokit')).toEqual([]);
  });

  it('gives a TypeScript program its types: the functions and the interfaces extensions implement', async () => {
    await writeFile(
      join(dir, 'use.ts'),
      [
        "import { apply, loadConfig, plan, type Autoscaler, type MetricsSource, type Notifier, type PoolState, type Provider } from 'navarch';",
        "const keep: Autoscaler = { name: 'keep', recommend: (s: PoolState) => ({ target: s.target, reason: 'unchanged' }) };",
        'export const used = [apply, loadConfig, plan, keep];',
        'export type Extensions = [Provider, Notifier, MetricsSource];',
        '',
      ].join('\n'),
    );
    const options = { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: [] };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['use.ts'] }));
    const r = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], dir);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('still runs the node agent as navarch-agent', async () => {
    const r = await run(join(dir, 'node_modules/.bin/navarch-agent'), ['check', '--fake-gpus', '2'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 GPU(s) through fake');
  });
});
