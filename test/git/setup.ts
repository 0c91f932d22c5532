/** What the git CLI tests share: a token-protected git server, a config repo on the fake cloud, the CLI with its environment. */
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { fakeCloudEnv, fleetFiles, tempDirs } from '../helpers/git-fixtures.js';
import { startGitServer, type GitServer, type GitServerOptions } from '../helpers/git-server.js';
import { readFakeState } from '../../src/providers/fake/index.js';
import { runCli, spawnCli, type CliRun } from '../helpers/cli.js';
import type { ChildProcess } from 'node:child_process';

export const TOKEN = 'tok_navarch_e2e_5f1d2c3b4a';

export interface Fleet {
  server: GitServer;
  name: string;
  url: string;
  initial: string;
  stateFile: string;
  cache: string;
  env: Record<string, string>;
  /** Runs `navarch ARGS --repo URL` with the token and this fleet's cache. */
  cli(args: string[], extra?: { env?: Record<string, string>; repo?: boolean }): Promise<CliRun>;
  spawn(args: string[]): ChildProcess;
  live(): Promise<Array<{ id: string; tags: Record<string, string> }>>;
  log(): Promise<string[]>;
  lockRefs(): Promise<string>;
}

export interface GitFixture {
  start(): Promise<void>;
  stop(): Promise<void>;
  fleet(opts?: { nodes?: number; extra?: Record<string, string>; navarch?: string }): Promise<Fleet>;
  /** A fresh temp directory, removed at `stop()`. */
  tempDir(prefix?: string): Promise<string>;
  readonly server: GitServer;
}

/** Starts one server per test file; `fleet()` makes a fresh repository on it. */
export function gitFixture(options: GitServerOptions = {}): GitFixture {
  let server: GitServer | undefined;
  const dirs = tempDirs();
  let n = 0;
  return {
    get server() {
      if (!server) throw new Error('start() first');
      return server;
    },
    tempDir: (prefix) => dirs.make(prefix),
    async start() {
      server = await startGitServer({ token: TOKEN, ...options });
    },
    async stop() {
      await server?.close();
      await dirs.cleanup();
    },
    async fleet(opts = {}) {
      const s = server as GitServer;
      const name = `fleet${++n}`;
      const stateFile = join(await dirs.make(), 'fake-cloud.json');
      const files = fleetFiles(stateFile, { ...(opts.nodes !== undefined ? { nodes: opts.nodes } : {}), ...(opts.extra ? { extra: opts.extra } : {}) });
      if (opts.navarch) files['navarch.yaml'] = `${files['navarch.yaml'] ?? ''}${opts.navarch}`;
      const initial = await s.createRepo(name, files);
      const cache = await dirs.make('navarch-cache-');
      const env = { NAVARCH_GIT_TOKEN: TOKEN, XDG_CACHE_HOME: cache, ...fakeCloudEnv(stateFile) };
      const url = s.repoUrl(name);
      const withRepo = (args: string[], repo = true): string[] => (repo ? [...args, '--repo', url] : args);
      return {
        server: s,
        name,
        url,
        initial,
        stateFile,
        cache,
        env,
        cli: (args, extra = {}) => runCli(withRepo(args, extra.repo ?? true), { env: { ...env, ...extra.env } }),
        spawn: (args) => spawnCli(withRepo(args), { env }),
        live: async () => (await readFakeState('/', { state_file: stateFile })).instances.filter((i) => i.state !== 'terminated'),
        log: async () => (await s.git(name, ['log', '--format=%s|%an', 'main'])).trim().split('\n'),
        lockRefs: async () => (await s.git(name, ['for-each-ref', '--format=%(refname)', 'refs/navarch'])).trim(),
      };
    },
  };
}

/** A git fixture started before the calling file's tests and stopped (its temp dirs removed) after them. */
export function gitSuite(options: GitServerOptions = {}): GitFixture {
  const fx = gitFixture(options);
  beforeAll(() => fx.start());
  afterAll(() => fx.stop());
  return fx;
}

/** Polls `check` until it returns true (the process under test acts on its own schedule). */
export async function until(check: () => Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
