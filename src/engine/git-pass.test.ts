/** One GitOps pass end to end in process: a real git server, the fake cloud, an injected clock. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudEnv, fleetFiles, tempDirs } from '../../test/helpers/git-fixtures.js';
import { startGitServer, type GitServer } from '../../test/helpers/git-server.js';
import { acquireLock, DEFAULT_AUTHOR, lockRefFor, remoteTarget, type ConfigTarget } from '../git/index.js';
import { silentLogger } from '../log/index.js';
import { ManualClock } from '../model/index.js';
import { checkStale } from '../plan/index.js';
import { fakeCloudAdmin, readFakeState } from '../providers/fake/index.js';
import { parseStatus } from '../status/index.js';
import { runPass, type PassOptions } from './git-pass.js';

let server: GitServer;
const dirs = tempDirs();
let n = 0;

beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.close();
  await dirs.cleanup();
});

interface Setup {
  name: string;
  initial: string;
  stateFile: string;
  target: ConfigTarget;
  clock: ManualClock;
  pass: (extra?: Partial<PassOptions>) => ReturnType<typeof runPass>;
}

async function setup(): Promise<Setup> {
  const name = `pass${++n}`;
  const stateFile = join(await dirs.make(), 'fake-cloud.json');
  const initial = await server.createRepo(name, fleetFiles(stateFile));
  const clock = new ManualClock();
  const target = await remoteTarget(server.repoUrl(name), undefined, await dirs.make(), { env: {}, clock, author: DEFAULT_AUTHOR });
  const pass = (extra: Partial<PassOptions> = {}) =>
    runPass({ target, command: 'navarch reconcile', author: DEFAULT_AUTHOR, clock, logger: silentLogger, env: fakeCloudEnv(stateFile), ...extra });
  return { name, initial, stateFile, target, clock, pass };
}

const live = async (stateFile: string) => (await readFakeState('/', { state_file: stateFile })).instances.filter((i) => i.state !== 'terminated');
const statusOnServer = async (s: Setup) => parseStatus(await server.git(s.name, ['show', 'main:status/fleet.yaml']), 'status/fleet.yaml');
const subjects = async (s: Setup): Promise<string[]> => (await server.git(s.name, ['log', '--format=%s', 'main'])).trim().split('\n');

describe('runPass', () => {
  it('applies, commits the status naming the desired commit, and commits nothing when only time passed', async () => {
    const s = await setup();
    const first = await s.pass();
    expect(first.result?.ok).toBe(true);
    expect(first.published).toMatchObject({ changed: true, pushed: true, attempts: 1 });
    expect(first.state.desired.commit).toBe(s.initial);
    expect(await live(s.stateFile)).toHaveLength(2);
    const status = await statusOnServer(s);
    expect(status.desired.commit).toBe(s.initial);
    expect(status.history[0]).toMatchObject({ desired_commit: s.initial, result: 'applied', actions: 2 });
    expect(await subjects(s)).toEqual([`navarch: 2 added in pool train (desired ${s.initial.slice(0, 7)}) [skip ci]`, 'Initial fleet configuration']);

    const second = await s.pass(); // records the first no-change reconcile
    expect(second.state.desired.commit).toBe(s.initial);
    expect(second.published?.changed).toBe(true);
    s.clock.advance(60_000);
    const third = await s.pass();
    expect(third.published).toMatchObject({ changed: false, pushed: false });
    expect(await subjects(s)).toHaveLength(3);
    expect((await server.git(s.name, ['for-each-ref', 'refs/navarch'])).trim()).toBe(''); // lock released
  });

  it('re-creates a node deleted behind its back, and reports an instance no record knows', async () => {
    const s = await setup();
    await s.pass();
    const admin = fakeCloudAdmin('/', s.stateFile);
    const [victim] = await live(s.stateFile);
    await admin.killInstance(victim?.id ?? '');
    const orphan = await admin.addForeignInstance({
      provider: 'local',
      tags: { 'navarch-managed-by': 'navarch', 'navarch-fleet': 'research', 'navarch-pool': 'ghost', 'navarch-node': 'ghost-1' },
    });
    const out = await s.pass();
    expect(out.plan.summary).toEqual({ add: 1, change: 0, destroy: 0 });
    expect(out.plan.warnings.join('\n')).toContain(`instance ${orphan.id}`);
    const message = await server.git(s.name, ['log', '-1', '--format=%B', 'main']);
    expect(message).toMatch(/^navarch: 1 added in pool train \(desired [0-9a-f]{7}\) \[skip ci\]/);
    expect(message).toContain(`warning: instance ${orphan.id}`);
    const status = await statusOnServer(s);
    const gone = victim?.tags['navarch-node'] ?? '';
    // Names are never reused: the replacement is train-3, whichever node was deleted.
    expect(status.nodes.map((x) => x.name).sort()).toEqual(['ghost-1', ...['train-1', 'train-2'].filter((x) => x !== gone), 'train-3']);
    expect(await live(s.stateFile)).toHaveLength(3); // the orphan is reported, not removed (orphans: report)
  });

  it('refuses a saved plan once a new commit changed a pool, applying nothing', async () => {
    const s = await setup();
    const saved = (await s.pass({ decide: async () => undefined })).plan;
    expect(saved.desired.commit).toBe(s.initial);
    const change = await server.commit(s.name, { 'pools/train.yaml': 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 3\nmax_nodes: 8\n' }, 'grow train');
    const err = await s
      .pass({
        decide: async (fresh, ws) => {
          checkStale(saved, { desiredDigest: ws.desired.digest, desiredCommit: ws.desired.commit ?? null, observedDigest: fresh.observed.digest });
          return saved;
        },
      })
      .then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toContain(`the desired state changed (commit ${s.initial.slice(0, 7)} → ${change.slice(0, 7)})`);
    expect(await live(s.stateFile)).toHaveLength(0);
    expect((await server.git(s.name, ['for-each-ref', 'refs/navarch'])).trim()).toBe('');
  });

  it("plans on prepare's workspace, runs the hooks, and commits the status as finishStatus leaves it", async () => {
    const s = await setup();
    await s.pass();
    const reads: Array<string | undefined> = [];
    const calls: string[] = [];
    const out = await s.pass({
      onRead: (state) => reads.push(state.desired.commit),
      // What the control plane does with its health facts: the planner sees train-1 as broken.
      prepare: async (ws) => {
        const nodes = ws.observation.observed.nodes.map((n) => (n.name === 'train-1' ? { ...n, health: 'unhealthy' as const, healthReason: 'XID 79 on GPU 3' } : n));
        return { ws: { ...ws, observation: { ...ws.observation, observed: { ...ws.observation.observed, nodes } } } };
      },
      hooks: {
        handOver: async (a, tools) => {
          calls.push(`handOver ${a.existing?.name ?? ''} → ${a.node}`);
          const instance = await tools.create();
          await tools.terminate(a.existing?.provider ?? '', a.existing?.instanceId ?? '');
          const message = `replaced ${a.existing?.name ?? ''} with ${a.node} (${instance.id}); ${a.existing?.name ?? ''} was unhealthy: ${a.reason.message}`;
          tools.event({ action: 'replace', pool: a.pool, node: a.node, result: 'ok', message });
          return { message, instance, finished: true };
        },
      },
      userData: (node) => {
        calls.push(`userData ${node}`);
        return undefined;
      },
      finishStatus: (status, state) => ({ ...status, fleet: `${status.fleet}@${state.snapshot.branch}` }),
    });
    expect(reads).toEqual([s.initial, s.initial]); // before the lock and after it
    expect(out.plan.actions.map((a) => [a.kind, a.existing?.name, a.node])).toEqual([['replace', 'train-1', 'train-3']]);
    expect(out.observed.nodes.find((n) => n.name === 'train-1')?.health).toBe('unhealthy');
    expect(calls).toEqual(['handOver train-1 → train-3', 'userData train-3']);
    expect(out.status?.fleet).toBe('research@main');
    const status = await statusOnServer(s);
    expect(status.fleet).toBe('research@main');
    expect(status.events.at(-1)?.message).toMatch(/^replaced train-1 with train-3 \(.*\); train-1 was unhealthy: XID 79 on GPU 3$/);
    expect(status.nodes.map((n) => n.name)).toEqual(['train-2', 'train-3']);
  });

  it('does nothing while another run holds the fleet lock', async () => {
    const s = await setup();
    const snap = await s.target.sync();
    const store = await s.target.lockStore({ ref: lockRefFor('research'), author: DEFAULT_AUTHOR, clock: s.clock });
    await acquireLock({ store, clock: s.clock, fleet: 'research', holder: 'other@ci pid 7', command: 'navarch apply' });
    const reads: unknown[] = [];
    await expect(s.pass({ onRead: (state) => reads.push(state.desired.commit) })).rejects.toMatchObject({ code: 'git.locked', message: expect.stringContaining('other@ci pid 7') });
    expect(reads).toEqual([s.initial]);
    expect(await live(s.stateFile)).toHaveLength(0);
    expect((await server.git(s.name, ['rev-parse', 'main'])).trim()).toBe(snap.head);
  });

  it('starts nothing and commits nothing when stopped before apply', async () => {
    const s = await setup();
    const stop = new AbortController();
    const out = await s.pass({
      signal: stop.signal,
      decide: async (plan) => {
        stop.abort();
        return plan;
      },
    });
    expect(out).toMatchObject({ stopped: true, result: undefined, published: undefined });
    expect(await live(s.stateFile)).toHaveLength(0);
    expect(await subjects(s)).toHaveLength(1);
  });
});
