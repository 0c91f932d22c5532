/**
 * A config repository as the action meets it: a bare repository behind the token-protected git
 * http-backend (the remote), the loopback GitHub API, the fake cloud's state file, and checkouts
 * made the way actions/checkout makes them (a clone of main tracking origin, or a pull request's
 * tree).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fakeCloudEnv, fleetFiles } from '../helpers/git-fixtures.js';
import { runGit, startGitServer, type GitServer } from '../helpers/git-server.js';
import { readFakeState } from '../../src/providers/fake/index.js';
import { GitHubServer } from './github-server.js';
import { runAction, type ActionRun } from './harness.js';

/** The token both the git host and the GitHub API accept; nothing navarch writes may contain it. */
export const TOKEN = 'tok_navarch_action_5e1d2c3b4a9f';

export interface Fleet {
  name: string;
  /** Where the config sits in the repository (`.` or a folder). */
  dir: string;
  stateFile: string;
  /** The head of main on the remote. */
  head(): Promise<string>;
  /** A pull request's checkout: main's tree with `files` changed (null deletes). */
  pullCheckout(files: Record<string, string | null>): Promise<string>;
  /** Merges pull request `number` as a commit of `files` on main and tells the GitHub API; returns the commit. */
  merge(number: number, files: Record<string, string | null>): Promise<string>;
  /** A checkout of main as actions/checkout makes it for a push (branch main tracking origin). */
  mainCheckout(): Promise<string>;
  /** Runs the action for pull request `number` on `checkout` (with more environment variables in `env`). */
  plan(number: number, checkout: string, inputs?: Record<string, string>, headSha?: string, env?: Record<string, string>): Promise<ActionRun>;
  /** Runs the action on a push of `sha` to main. */
  push(sha: string, checkout: string, inputs: Record<string, string>, env?: Record<string, string>): Promise<ActionRun>;
  /** Runs the action on a schedule at main's head. */
  schedule(inputs: Record<string, string>): Promise<ActionRun>;
  live(): Promise<Array<{ id: string; tags: Record<string, string> }>>;
  subjects(): Promise<string[]>;
  lockRefs(): Promise<string>;
}

/** The servers one test file shares, and a factory of fleets on them. */
export interface Bench {
  git: GitServer;
  gh: GitHubServer;
  /** Every run so far, for checks across all of them (no token anywhere). */
  runs: ActionRun[];
  fleet(opts?: { dir?: string; nodes?: number; extra?: Record<string, string> }): Promise<Fleet>;
  close(): Promise<void>;
}

export async function startBench(opts: { maxPerPage?: number } = {}): Promise<Bench> {
  const git = await startGitServer({ token: TOKEN });
  const gh = await new GitHubServer({ owner: 'acme', repo: 'fleet', token: TOKEN, ...opts }).start();
  const temps: string[] = [];
  const temp = async (prefix: string): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), prefix));
    temps.push(d);
    return d;
  };
  const runs: ActionRun[] = [];
  const record = async (p: Promise<ActionRun>): Promise<ActionRun> => {
    const r = await p;
    runs.push(r);
    return r;
  };
  let n = 0;
  return {
    git,
    gh,
    runs,
    async fleet(o = {}) {
      const name = `fleet${++n}`;
      const dir = o.dir ?? '.';
      const prefix = dir === '.' ? '' : `${dir}/`;
      const stateFile = join(await temp('navarch-action-cloud-'), 'fake-cloud.json');
      const files = fleetFiles(stateFile, { ...(o.nodes !== undefined ? { nodes: o.nodes } : {}), ...(o.extra ? { extra: o.extra } : {}) });
      await git.createRepo(name, Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}${k}`, v])));
      const head = async (): Promise<string> => (await git.git(name, ['rev-parse', 'main'])).trim();
      const clone = async (): Promise<string> => {
        const work = join(await temp('navarch-action-checkout-'), 'fleet');
        await runGit(['clone', '--quiet', git.repoPath(name), work]);
        await runGit(['remote', 'set-url', 'origin', git.repoUrl(name)], { cwd: work });
        return work;
      };
      const write = async (root: string, changes: Record<string, string | null>): Promise<void> => {
        for (const [path, text] of Object.entries(changes)) {
          const file = join(root, prefix, path);
          if (text === null) await rm(file, { force: true });
          else {
            await mkdir(dirname(file), { recursive: true });
            await writeFile(file, text);
          }
        }
      };
      const inDir = (inputs: Record<string, string>): Record<string, string> => ({ dir, ...inputs });
      return {
        name,
        dir,
        stateFile,
        head,
        async pullCheckout(changes) {
          const work = await clone();
          await write(work, changes);
          return work;
        },
        async merge(number, changes) {
          const sha = await git.commit(name, Object.fromEntries(Object.entries(changes).map(([k, v]) => [`${prefix}${k}`, v])), `Merge pull request #${number}`);
          gh.mergePull(number, sha);
          return sha;
        },
        mainCheckout: clone,
        plan: (number, checkout, inputs = {}, headSha = 'f'.repeat(40), env = {}) =>
          record(
            runAction({
              event: 'pull_request',
              payload: { action: 'synchronize', number, pull_request: { number, head: { sha: headSha }, base: { ref: 'main' } } },
              workspace: checkout,
              inputs: inDir({ command: 'plan', ...inputs }),
              sha: 'e'.repeat(40),
              ref: `refs/pull/${number}/merge`,
              apiUrl: gh.url,
              token: TOKEN,
              env: { ...fakeCloudEnv(stateFile), ...env },
            }),
          ),
        push: (sha, checkout, inputs, env = {}) =>
          record(
            runAction({ event: 'push', payload: { ref: 'refs/heads/main', after: sha }, workspace: checkout, inputs: inDir({ command: 'apply', ...inputs }), sha, apiUrl: gh.url, token: TOKEN, env: { ...fakeCloudEnv(stateFile), ...env } }),
          ),
        async schedule(inputs) {
          const checkout = await clone();
          return record(runAction({ event: 'schedule', payload: { schedule: '0 6 * * *' }, workspace: checkout, inputs: inDir(inputs), sha: await head(), apiUrl: gh.url, token: TOKEN, env: fakeCloudEnv(stateFile) }));
        },
        live: async () => (await readFakeState('/', { state_file: stateFile })).instances.filter((i) => i.state !== 'terminated'),
        subjects: async () => (await git.git(name, ['log', '--format=%s', 'main'])).trim().split('\n'),
        lockRefs: async () => (await git.git(name, ['for-each-ref', '--format=%(refname)', 'refs/navarch'])).trim(),
      };
    },
    async close() {
      await gh.close();
      await git.close();
      await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** A pool file on the fake cloud with `nodes` nodes. */
export function poolYaml(nodes: number, extra = ''): string {
  return `provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: ${nodes}\nmax_nodes: 8\n${extra}`;
}
