/**
 * `navarch serve --repo` as a real process against a bare repository on the real git
 * http-backend: a push webhook applies a new commit at once and the status comes back as a
 * commit; a fatal health report leads to a replacement whose reason the pushed status keeps; two
 * control planes share a fleet through the lock and the status file's record of replacements in
 * flight; a human commit racing the status push is kept;
 * and the git token appears nowhere.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, DEFAULT_AUTHOR, lockRefFor, remoteTarget } from '../../src/git/index.js';
import { systemClock } from '../../src/model/index.js';
import { nodeToken, signBody } from '../../src/server/index.js';
import { parseStatus } from '../../src/status/index.js';
import { spawnCli } from '../helpers/cli.js';
import { findRecord } from '../helpers/serve.js';
import { call, TestAgent, xid } from '../server/helpers.js';
import { gitSuite, TOKEN, until, type Fleet } from './setup.js';

const fx = gitSuite();

const ADMIN = 'serve-admin-token-0123456789';
const NODE_SECRET = 'serve-node-secret-0123456789';
const HOOK_SECRET = 'serve-webhook-secret-0123456789';
const ENV = { NAVARCH_AUTH_TOKEN: ADMIN, NAVARCH_NODE_SECRET: NODE_SECRET, NAVARCH_WEBHOOK_SECRET: HOOK_SECRET, NAVARCH_LOG_LEVEL: 'debug' };
const INFER = 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 1\nmax_nodes: 2\n';

interface Served {
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
}

/** Everything every control plane of this file printed, for the check that the token never shows. */
const outputs: Array<() => string> = [];
const running: ChildProcess[] = [];

afterEach(async () => {
  for (const c of running.splice(0)) await stop(c);
  fx.server.setBeforePush(undefined);
});

/** Starts `navarch serve --repo` for the fleet (its own cache unless given) and resolves once it listens. */
async function serve(f: Fleet, opts: { cache?: string; env?: Record<string, string>; repo?: string } = {}): Promise<Served> {
  const env = { ...f.env, ...ENV, ...(opts.cache ? { XDG_CACHE_HOME: opts.cache } : {}), ...opts.env };
  const child = spawnCli(['serve', '--repo', opts.repo ?? f.url, '--listen', '127.0.0.1:0', '--interval', '1h'], { env });
  running.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  outputs.push(() => out);
  const url = await new Promise<string>((resolve, reject) => {
    const listening = (): void => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on('data', listening);
    child.stderr?.on('data', listening);
    child.on('exit', (code) => reject(new Error(`navarch serve exited with ${code}: ${out}`)));
  });
  return { url, child, output: () => out };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const statusOf = async (f: Fleet) => parseStatus(await f.server.git(f.name, ['show', 'main:status/fleet.yaml']), 'status/fleet.yaml');
const head = async (f: Fleet): Promise<string> => (await f.server.git(f.name, ['rev-parse', 'main'])).trim();
const nodesOf = async (f: Fleet): Promise<string[]> => (await f.live()).map((i) => i.tags['navarch-node'] ?? '').sort();
const agents = new Map<string, TestAgent>();
/** The node's agent talking to `s` (one per node, so its report ids keep counting up). */
function agent(s: Served, id: string, bootId?: string): TestAgent {
  const key = `${s.url} ${id}`;
  const a = agents.get(key) ?? new TestAgent(s.url, id, nodeToken(NODE_SECRET, id), bootId);
  agents.set(key, a);
  return a;
}

/** A GitHub push delivery: the JSON body, signed with `secret`. */
function delivery(body: unknown, secret = HOOK_SECRET, event = 'push'): { raw: string; headers: Record<string, string> } {
  const raw = JSON.stringify(body);
  return { raw, headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-hub-signature-256': signBody(secret, raw) } };
}

describe('navarch serve --repo', () => {
  it('applies a pool added on the remote when the push webhook arrives, refusing a bad signature', async () => {
    const f = await fx.fleet();
    const s = await serve(f);
    await until(async () => /^navarch: 2 added in pool train/.test((await f.log())[0] ?? ''), 'the first status commit');
    expect(findRecord(s.output(), /^listening on /)).toMatchObject({ config: `${f.url} (main)` });
    // Said just after the push.
    await until(async () => findRecord(s.output(), 'reconcile done', { result: 'applied' }) !== undefined, 'serve to say what it pushed');
    expect(findRecord(s.output(), 'reconcile done', { result: 'applied' })).toMatchObject({ actions: 2, statusCommit: expect.stringMatching(/^[0-9a-f]{40}$/), desiredCommit: expect.stringMatching(/^[0-9a-f]{40}$/) });

    const added = await f.server.commit(f.name, { 'pools/infer.yaml': INFER }, 'Add the infer pool');
    const push = { ref: 'refs/heads/main', after: added, repository: { full_name: `acme/${f.name}` } };
    const hook = `${s.url}/v1/hooks/git`;

    // Refused: a signature made with another secret, a body that is not the one signed, no credentials at all.
    const requests = JSON.stringify(f.server.requests);
    const forged = delivery(push, 'not-the-webhook-secret');
    const refused = await call(hook, { raw: forged.raw, headers: forged.headers });
    expect(refused).toEqual({ status: 401, body: { error: { code: 'auth.signature', message: expect.stringContaining('x-hub-signature-256 does not match the body') } } });
    const signed = delivery(push);
    const tampered = await call(hook, { raw: signed.raw.replace('refs/heads/main', 'refs/heads/mainx'), headers: signed.headers });
    expect(tampered.status).toBe(401);
    expect((await call(hook, { raw: signed.raw, headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect((await call(hook, { raw: signed.raw, headers: { ...signed.headers, authorization: 'Bearer not-the-admin-token' } })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    expect(JSON.stringify(f.server.requests)).toBe(requests); // not even a fetch
    expect(await nodesOf(f)).toEqual(['train-1', 'train-2']);
    expect((await f.log())[0]).toBe('Add the infer pool|Ada Operator');

    const accepted = await call(hook, { raw: signed.raw, headers: signed.headers });
    expect(accepted).toEqual({ status: 202, body: { queued: true, reason: 'reconcile queued' } });
    await until(async () => /^navarch: 1 added in pool infer/.test((await f.log())[0] ?? ''), 'the status commit of the infer pool');
    expect(await nodesOf(f)).toEqual(['infer-1', 'train-1', 'train-2']);
    const [subject] = await f.log();
    expect(subject).toBe(`navarch: 1 added in pool infer (desired ${added.slice(0, 7)}) [skip ci]|navarch`);
    const status = await statusOf(f);
    expect(status.desired.commit).toBe(added);
    expect(status.history[0]).toMatchObject({ desired_commit: added, result: 'applied', actions: 1 });

    // Deliveries that change nothing this control plane reads are acknowledged without a reconcile.
    const pushed = await head(f);
    await until(async () => findRecord(s.output(), 'reconcile done', { statusCommit: pushed }) !== undefined, 'the reconcile to finish');
    const own = delivery({ ref: 'refs/heads/main', after: pushed });
    expect((await call(hook, { raw: own.raw, headers: own.headers })).body).toEqual({ queued: false, reason: 'the status commit this control plane pushed' });
    const other = delivery({ ref: 'refs/heads/feature', after: added });
    expect((await call(hook, { raw: other.raw, headers: other.headers })).body).toMatchObject({ queued: false });
    const ping = delivery({ zen: 'Design for failure.' }, HOOK_SECRET, 'ping');
    expect(await call(hook, { raw: ping.raw, headers: ping.headers })).toEqual({ status: 200, body: { pong: true } });
    // The admin token works too, e.g. from a CI job that does not sign.
    expect(await call(hook, { token: ADMIN, method: 'POST' })).toEqual({ status: 202, body: { queued: true, reason: 'reconcile queued' } });
    const fleet = await call<{ status: { desired: { commit: string } } }>(`${s.url}/v1/fleet`, { token: ADMIN });
    expect(fleet.body.status.desired.commit).toBe(added);
  });

  it('replaces a node after a fatal XID and pushes a status with every node\'s health and the reason', async () => {
    const f = await fx.fleet();
    const s = await serve(f);
    await until(async () => /^navarch: 2 added/.test((await f.log())[0] ?? ''), 'the first status commit');
    for (const id of ['train-1', 'train-2']) {
      const a = agent(s, id);
      expect((await a.register()).status).toBe(200);
      await a.heartbeat();
      expect((await a.report()).body).toEqual({ stored: true });
    }
    await agent(s, 'train-2').report([xid(48, 1)]); // a GPU that needs a reset: degraded, kept
    await agent(s, 'train-1').report([xid(79)]);
    await until(async () => (await nodesOf(f)).includes('train-3'), 'the replacement to be created');
    const fresh = agent(s, 'train-3', 'boot-new');
    expect((await fresh.register()).status).toBe(200);
    await fresh.heartbeat();
    await fresh.report();
    await until(async () => /^navarch: 1 replaced in pool train/.test((await f.log())[0] ?? ''), 'the status commit of the replacement');
    expect(await nodesOf(f)).toEqual(['train-2', 'train-3']);
    expect((await agent(s, 'train-1').commands()).body.commands.map((c) => c.kind)).toEqual(['cordon', 'drain']);

    const replaced = await statusOf(f);
    const event = replaced.events.find((e) => e.action === 'replace' && e.result === 'ok');
    expect(event?.message).toMatch(/^replaced train-1 with train-3 \(.*\); train-1 was unhealthy: XID 79 on GPU 3 \(0000:4b:00\.0\): GPU has fallen off the bus$/);
    expect(replaced.nodes.find((n) => n.name === 'train-2')).toMatchObject({ health: 'degraded', health_reason: expect.stringMatching(/^XID 48 on GPU 1 .*reset/) });

    // The pass that finished the replacement had heard from it: healthy already, so the next has no news to commit.
    const next = await call<{ reconcile: { result: string; statusCommit?: string } }>(`${s.url}/v1/reconcile?wait=true`, { token: ADMIN, method: 'POST' });
    expect(next.body.reconcile).toMatchObject({ result: 'no-changes' });
    expect(next.body.reconcile.statusCommit).toBeUndefined();
    const after = await statusOf(f);
    expect(after.nodes.map((n) => [n.name, n.health])).toEqual([
      ['train-2', 'degraded'],
      ['train-3', 'healthy'],
    ]);
    expect(await f.lockRefs()).toBe('');
  });

  it('lets only the lock holder apply when two control planes share a fleet, and neither touches the other\'s replacement', async () => {
    const f = await fx.fleet();
    const a = await serve(f);
    await until(async () => /^navarch: 2 added/.test((await f.log())[0] ?? ''), 'the first status commit');
    for (const id of ['train-1', 'train-2']) {
      await agent(a, id).register();
      await agent(a, id).report();
    }
    // A starts a replacement and lets go of the lock: nothing waits for the new node inside a pass.
    await agent(a, 'train-1').report([xid(79)]);
    await until(async () => (await nodesOf(f)).includes('train-3'), 'the replacement to be created');
    await until(async () => (await f.lockRefs()) === '' && /^navarch: 1 replacement started in pool train/.test((await f.log())[0] ?? ''), 'A to record the replacement and release the lock');
    const started = await statusOf(f);
    expect(started.nodes.map((n) => [n.name, n.lifecycle?.role ?? null, n.lifecycle?.peer ?? null])).toEqual([
      ['train-1', 'old', 'train-3'],
      ['train-2', null, null],
      ['train-3', 'new', 'train-1'],
    ]);
    const added = await f.server.commit(f.name, { 'pools/infer.yaml': INFER }, 'Add the infer pool');

    // B has its own store, and still leaves A's replacement alone: the status file says whose nodes those are.
    const b = await serve(f, { cache: await fx.tempDir('navarch-cache-b-') });
    await until(
      async () => findRecord(b.output(), 'reconcile done', { result: 'applied', actions: 1 }) !== undefined && (await f.lockRefs()) === '',
      'the second control plane to apply the new pool',
    );
    expect(await nodesOf(f)).toEqual(['infer-1', 'train-1', 'train-2', 'train-3']);

    // While another applier holds the fleet lock, a control plane skips its reconcile.
    const target = await remoteTarget(f.url, 'main', await fx.tempDir('navarch-cache-hold-'), { env: f.env, clock: systemClock, author: DEFAULT_AUTHOR });
    const store = await target.lockStore({ ref: lockRefFor('research'), author: DEFAULT_AUTHOR, clock: systemClock });
    const hold = await acquireLock({ store, clock: systemClock, fleet: 'research', holder: 'other@ci pid 7', command: 'navarch apply' });
    const skipped = await call<{ reconcile: { result: string; skipped: string } }>(`${b.url}/v1/reconcile?wait=true`, { token: ADMIN, method: 'POST' });
    expect(skipped.body.reconcile).toMatchObject({ result: 'skipped', skipped: expect.stringContaining('other@ci pid 7 (navarch apply)') });
    expect(await hold.release()).toBe(true);

    // A finishes its replacement once the new node is ready.
    await agent(a, 'train-3', 'boot-new').register();
    await agent(a, 'train-3', 'boot-new').report();
    await until(async () => (await f.lockRefs()) === '' && /^navarch: 1 replaced in pool train/.test((await f.log())[0] ?? ''), 'A to finish the replacement');
    expect(await nodesOf(f)).toEqual(['infer-1', 'train-2', 'train-3']);
    const subjects = (await f.log()).map((l) => l.split(' (desired')[0]);
    expect(subjects).toContain('navarch: 1 added in pool infer');
    expect((await statusOf(f)).desired.commit).toBe(added);
    expect((await statusOf(f)).nodes.every((n) => n.lifecycle === undefined)).toBe(true);
  });

  it('keeps a human commit that lands while the status is being pushed', async () => {
    const f = await fx.fleet();
    let raced: string | undefined;
    fx.server.setBeforePush(async (updates) => {
      if (raced || !updates.some((u) => u.repo === `${f.name}.git` && u.ref === 'refs/heads/main')) return;
      raced = await f.server.commit(f.name, { 'docs/oncall.md': '# On call\n' }, 'Document the on-call rota');
    });
    await serve(f);
    await until(async () => /^navarch: 2 added/.test((await f.log())[0] ?? ''), 'the status commit');
    expect(raced).toBeDefined();
    expect(await f.log()).toEqual([expect.stringMatching(/^navarch: 2 added in pool train \(desired [0-9a-f]{7}\) \[skip ci\]\|navarch$/), 'Document the on-call rota|Ada Operator', 'Initial fleet configuration|Ada Operator']);
    expect(await f.server.git(f.name, ['show', 'main:docs/oncall.md'])).toBe('# On call\n');
    expect((await f.server.git(f.name, ['rev-parse', 'main~1'])).trim()).toBe(raced);
    expect((await statusOf(f)).nodes).toHaveLength(2);
  });

  it('never shows the git token: not in output, status, API answers or errors', async () => {
    const f = await fx.fleet();
    // The token in the URL instead of the environment.
    const withToken = f.url.replace('http://', `http://x-access-token:${TOKEN}@`);
    const s = await serve(f, { repo: withToken, env: { NAVARCH_GIT_TOKEN: '' } });
    await until(async () => /^navarch: 2 added/.test((await f.log())[0] ?? ''), 'the status commit');
    expect(findRecord(s.output(), /^listening on /)).toMatchObject({ config: `${f.url} (main)` });
    const answers = [await call(`${s.url}/v1/fleet`, { token: ADMIN }), await call(`${s.url}/v1/reconcile?wait=true`, { token: ADMIN, method: 'POST' })];
    await stop(s.child);

    const wrong = spawnCli(['serve', '--repo', f.url, '--listen', '127.0.0.1:0'], { env: { ...f.env, ...ENV, NAVARCH_GIT_TOKEN: 'tok_wrong_value_9f8e7d6c5b' } });
    let err = '';
    wrong.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    wrong.stdout?.on('data', (d: Buffer) => (err += d.toString()));
    expect(await new Promise((r) => wrong.on('exit', r))).toBe(1);
    expect(err).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(err).not.toContain('tok_wrong_value_9f8e7d6c5b');

    const texts = [
      ...outputs.map((o) => o()),
      ...answers.map((a) => JSON.stringify(a.body)),
      await f.server.git(f.name, ['show', 'main:status/fleet.yaml']),
      await f.server.git(f.name, ['log', '--format=%B', 'main']),
    ];
    expect(outputs.length).toBeGreaterThan(0);
    for (const t of texts) expect(t).not.toContain(TOKEN);
  });
});
