/**
 * bench/git: a config repository of 200 pool files on a real `git http-backend` (loopback).
 * Times what a navarch run does over git — fetch, read the config at the commit and plan, commit
 * the status and push it — beside the same fetch, commit and push done with the git CLI against
 * the same server. Cold: an empty cache. Warm: the cache is current but for one new commit.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_AUTHOR, remoteTarget, type ConfigTarget } from '../src/git/index.js';
import { openTargetWorkspace, planWorkspace, readSnapshot } from '../src/engine/index.js';
import { silentLogger } from '../src/log/index.js';
import { systemClock } from '../src/model/index.js';
import { FAKE_CLOUD_DIR_ENV } from '../src/providers/fake/index.js';
import { serializeStatus, StatusBook } from '../src/status/index.js';
import { runGit, startGitServer, type GitServer } from '../test/helpers/git-server.js';

const POOLS = 200;
const RUNS = 5;
const ID = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };

type Row = Record<string, number>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function time<T>(row: Row, key: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const out = await fn();
  row[key] = performance.now() - t;
  return out;
}

function files(): Record<string, string> {
  const out: Record<string, string> = {
    'navarch.yaml': `fleet: bench\nproviders:\n  local:\n    type: fake\n    state_file: fake-cloud.json\n`,
  };
  for (let i = 0; i < POOLS; i++) {
    const name = `pool-${String(i).padStart(3, '0')}`;
    out[`pools/${name}.yaml`] =
      `# Pool ${name}: eight H100s per node for team ${i % 7}.\nprovider: local\ngpu: h100\ngpus: 8\nregion: local-${(i % 2) + 1}\n` +
      `min_nodes: 1\nmax_nodes: 4\nlabels:\n  team: team-${i % 7}\n  cost-center: cc-${1000 + i}\nhealth:\n  unhealthy_after: 2\n  auto_replace: true\n`;
  }
  return out;
}

/** One navarch run: fetch, read + plan, status commit + push. */
async function navarchRun(target: ConfigTarget, row: Row, stamp: number, env: Record<string, string>): Promise<{ actions: number }> {
  const snapshot = await time(row, 'fetch', () => target.sync());
  const full = await time(row, 'read', () => readSnapshot(snapshot));
  const plan = await time(row, 'plan', async () => {
    const ws = await openTargetWorkspace(target, full, { clock: systemClock, logger: silentLogger, env });
    return { ws, plan: planWorkspace(ws, systemClock) };
  });
  const book = new StatusBook(full.desired, plan.ws.observation.observed, full.status, () => new Date(stamp).toISOString());
  const text = serializeStatus(book.snapshot({ summary: `run ${stamp}`, result: 'applied', actions: plan.plan.actions.length }));
  await time(row, 'commit+push', () => target.publish(snapshot, full.desired.statusFile, text, `navarch: bench ${stamp} [skip ci]`));
  return { actions: plan.plan.actions.length };
}

/** The same git work with the git CLI: clone or pull, write the status, commit, push. */
async function gitRun(url: string, work: string, cold: boolean, row: Row, stamp: number): Promise<void> {
  await time(row, 'fetch', () => (cold ? runGit(['clone', '--quiet', url, work], { env: ID }) : runGit(['pull', '--quiet', '--ff-only'], { cwd: work, env: ID })));
  await time(row, 'commit', async () => {
    await writeFile(join(work, 'status.yaml'), `run: ${stamp}\n`);
    await runGit(['add', 'status.yaml'], { cwd: work, env: ID });
    await runGit(['commit', '--quiet', '-m', `bench ${stamp}`], { cwd: work, env: ID });
  });
  await time(row, 'push', () => runGit(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: work, env: ID }));
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? '—' : `${ms.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  const server: GitServer = await startGitServer();
  const scratch = await mkdtemp(join(tmpdir(), 'navarch-bench-git-'));
  try {
    await server.createRepo('fleet', files());
    // The fake cloud's state sits outside the repository, where the operator (this bench) says.
    const env = { [FAKE_CLOUD_DIR_ENV]: scratch };
    const url = server.repoUrl('fleet');
    const rows: Record<string, Row[]> = { 'navarch cold': [], 'navarch warm': [], 'git cold': [], 'git warm': [] };
    let actions = 0;
    for (let run = 0; run < RUNS; run++) {
      const cache = await mkdtemp(join(scratch, 'cache-'));
      const target = await remoteTarget(url, 'main', cache, { env: {}, clock: systemClock, author: DEFAULT_AUTHOR });
      const cold: Row = {};
      actions = (await navarchRun(target, cold, run * 2, env)).actions;
      rows['navarch cold']?.push(cold);
      await server.commit('fleet', { 'README.md': `edit ${run}\n` }, `edit ${run}`);
      const warm: Row = {};
      await navarchRun(target, warm, run * 2 + 1, env);
      rows['navarch warm']?.push(warm);

      const work = join(scratch, `clone-${run}`);
      const gcold: Row = {};
      await gitRun(url, work, true, gcold, run);
      rows['git cold']?.push(gcold);
      await server.commit('fleet', { 'README.md': `git edit ${run}\n` }, `git edit ${run}`);
      const gwarm: Row = {};
      await gitRun(url, work, false, gwarm, run + 100);
      rows['git warm']?.push(gwarm);
    }
    const commits = (await server.git('fleet', ['rev-list', '--count', 'main'])).trim();
    console.log(`repository: ${POOLS} pool files, ${commits} commits at the end; plan: ${actions} actions; median of ${RUNS} runs\n`);
    const cols = ['fetch', 'read', 'plan', 'commit+push', 'commit', 'push'];
    console.log(['', ...cols, 'total'].map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(12))).join(''));
    for (const [label, list] of Object.entries(rows)) {
      const med: Row = {};
      for (const c of cols) {
        const xs = list.map((r) => r[c]).filter((x): x is number => x !== undefined);
        if (xs.length > 0) med[c] = median(xs);
      }
      const total = median(list.map((r) => Object.values(r).reduce((a, b) => a + b, 0)));
      console.log([label.padEnd(14), ...cols.map((c) => fmt(med[c]).padStart(12)), fmt(total).padStart(12)].join(''));
    }
    console.log('\nread = load and validate the 200 files at the commit (the first run in a process also compiles the schemas);');
    console.log('plan = observe the fake cloud and plan; commit+push includes deciding whether the status changed.');
    console.log('navarch builds the status commit from git objects (no checkout); git commit includes writing the file and `git add`.');
    console.log(`requests served: ${JSON.stringify(server.requests)}`);
  } finally {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
