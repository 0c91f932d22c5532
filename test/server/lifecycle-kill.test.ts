/**
 * A replacement survives its control plane: real `navarch serve` processes on one store file and
 * one fake-cloud state file, SIGKILLed at each step of a replacement (the kill points are the
 * steps it prints, as test/e2e/kill.test.ts picks them) and started again. Each time the restarted
 * control plane finishes the same replacement: exactly one replacement node, the old node
 * terminated once, nothing else created or terminated, and a status file that says what exists.
 */
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../src/model/index.js';
import { readFakeState } from '../../src/providers/fake/index.js';
import { nodeToken } from '../../src/server/index.js';
import { parseStatus } from '../../src/status/index.js';
import { removeDir } from '../helpers/cli.js';
import { findRecord, startServeProcess, type ServeProcess } from '../helpers/serve.js';
import { call, TestAgent, xid } from './helpers.js';

const ADMIN = 'kill-admin-token-0123456789';
const SECRET = 'kill-node-secret-0123456789';
const ENV = { NAVARCH_AUTH_TOKEN: ADMIN, NAVARCH_NODE_SECRET: SECRET, NO_COLOR: '1' };
/** The records serve logs for the steps of a replacement: each is a kill point. */
const STEP = /^(action |lifecycle |cordoned and draining|waiting for |reconcile (done|failed|skipped))/;
const isStep = (line: string): boolean => line.startsWith('{') && STEP.test(String((JSON.parse(line) as { msg?: unknown }).msg));
const applied = (output: string, actions: number): boolean => findRecord(output, 'reconcile done', { result: 'applied', actions }) !== undefined;

const agent = (s: ServeProcess, id: string, bootId = 'boot-1'): TestAgent => new TestAgent(s.url, id, nodeToken(SECRET, id), bootId);
const instances = async (dir: string): Promise<Instance[]> => (await readFakeState(dir)).instances;
/** When the fake cloud terminated an instance, from its state file (the snapshot API does not carry it). */
const terminatedAt = async (dir: string, id: string): Promise<string | undefined> =>
  (JSON.parse(await readFile(join(dir, '.navarch/fake-cloud.json'), 'utf8')) as { instances: Array<{ id: string; terminatedAt?: string }> }).instances.find((i) => i.id === id)?.terminatedAt;
const live = async (dir: string): Promise<string[]> => (await instances(dir)).filter((i) => i.state !== 'terminated').map((i) => i.tags['navarch-node'] ?? '').sort();

async function until(check: () => Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function killed(s: ServeProcess): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    s.child.once('exit', () => resolve());
    s.child.kill('SIGKILL');
  });
}

/** Brings train-3's agent up on `s` once its instance exists (as a booting node would), and keeps it up. */
async function bootReplacement(s: ServeProcess, dir: string): Promise<void> {
  await until(async () => (await live(dir)).includes('train-3'), 'train-3 to be created');
  const a = agent(s, 'train-3', 'boot-new');
  await a.register();
  await a.heartbeat();
  await a.report();
}

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'navarch-lifecycle-kill-'));
  await mkdir(join(base, 'pools'));
  // A slow cloud widens the windows a kill can land in.
  await writeFile(join(base, 'navarch.yaml'), 'fleet: killrep\nproviders:\n  local: { type: fake, latency: 300ms }\n');
  await writeFile(join(base, 'pools/train.yaml'), 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 2\nmax_nodes: 4\n');
  const s = await startServeProcess(base, { env: ENV });
  await until(async () => applied(s.output(), 2), 'the first reconcile');
  for (const id of ['train-1', 'train-2']) {
    const a = agent(s, id);
    expect((await a.register()).status).toBe(200);
    await a.heartbeat();
    await a.report();
  }
  expect(await s.stop()).toBe(0);
}, 120_000);
afterAll(() => removeDir(base));

describe('a replacement under SIGKILL', () => {
  it('is finished by the restarted control plane, whatever step the kill lands on', { timeout: 600_000 }, async () => {
    let kills = 0;
    for (let point = 0; ; point++) {
      const dir = await mkdtemp(join(tmpdir(), 'navarch-lifecycle-kill-'));
      const running: ServeProcess[] = [];
      try {
        await cp(base, dir, { recursive: true });
        const first = await startServeProcess(dir, { env: ENV });
        running.push(first);
        const before = new Set((await instances(dir)).map((i) => i.id));
        const oldId = (await instances(dir)).find((i) => i.tags['navarch-node'] === 'train-1')?.id ?? '';
        let seen = 0;
        let pending = '';
        const hit = new Promise<string>((resolve) => {
          first.child.stderr?.on('data', (d: Buffer) => {
            pending += d.toString();
            const lines = pending.split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) if (isStep(line) && ++seen === point) resolve(line);
          });
        });
        const at = first.output().length;
        expect((await agent(first, 'train-1').report([xid(79)])).status).toBe(200);
        const done = until(async () => findRecord(first.output().slice(at), 'lifecycle done', { lifecycle: 'replace:train-3' }) !== undefined, 'the replacement to finish', 30_000).then(
          () => 'done',
          () => 'timed out',
        );
        // The new node boots and reports once the pass that started it is over (as a real node, minutes later), unless the kill comes first.
        let booting = false;
        void until(async () => applied(first.output().slice(at), 1), 'the replacement to start', 30_000)
          .then(() => {
            booting = true;
            return bootReplacement(first, dir);
          })
          .catch(() => undefined);
        const outcome = point === 0 ? 'killed at the report' : await Promise.race([hit, done]);
        if (outcome === 'timed out') throw new Error(`point ${point}: the replacement did not finish:\n${first.output()}`);
        const wasKilled = outcome !== 'done';
        let last = first;
        if (wasKilled) {
          kills++;
          await killed(first);
          const terminatedAtKill = await terminatedAt(dir, oldId);
          const oldAlive = (await live(dir)).includes('train-1');
          const second = await startServeProcess(dir, { env: ENV });
          running.push(second);
          last = second;
          if (oldAlive && !booting) {
            // The same replacement is resumed, not re-decided: the old node stays until its replacement is ready.
            await call(`${second.url}/v1/reconcile?wait=true`, { token: ADMIN, method: 'POST' });
            expect(await live(dir), `point ${point}: the old node went before its replacement was ready`).toContain('train-1');
          }
          await bootReplacement(second, dir);
          await until(async () => (await live(dir)).join() === 'train-2,train-3' && findRecord(second.output(), 'reconcile failed') === undefined, `point ${point}: the restarted control plane to finish`);
          // The old node was terminated once: a restart that found it gone did not terminate it again.
          if (terminatedAtKill) expect(await terminatedAt(dir, oldId), `point ${point}`).toBe(terminatedAtKill);
        } else {
          await done;
        }
        const again = await call<{ reconcile: { result: string; actions: number } }>(`${last.url}/v1/reconcile?wait=true`, { token: ADMIN, method: 'POST' });
        expect(again.body.reconcile, `point ${point}`).toMatchObject({ result: 'no-changes', actions: 0 });

        const all = await instances(dir);
        const created = all.filter((i) => !before.has(i.id));
        expect(created.map((i) => `${i.tags['navarch-node']}:${i.state}`), `point ${point}: created`).toEqual(['train-3:running']);
        expect(all.filter((i) => before.has(i.id) && i.state === 'terminated').map((i) => i.id), `point ${point}: terminated`).toEqual([oldId]);
        expect(await live(dir), `point ${point}`).toEqual(['train-2', 'train-3']);
        const status = parseStatus(await readFile(join(dir, 'status/fleet.yaml'), 'utf8'), 'status/fleet.yaml');
        expect(status.nodes.map((n) => `${n.name}=${n.instance_id}`).sort(), `point ${point}: status`).toEqual(
          all.filter((i) => i.state !== 'terminated').map((i) => `${i.tags['navarch-node']}=${i.id}`).sort(),
        );
        expect(status.nodes.every((n) => n.lifecycle === undefined), `point ${point}: lifecycle left in the status`).toBe(true);
        if (!wasKilled) break;
      } finally {
        for (const s of running) await killed(s);
        await removeDir(dir);
      }
    }
    expect(kills).toBeGreaterThan(4);
  });
});
