/**
 * `navarch serve` as a real process: register a node, report health, queue commands, SIGKILL it,
 * start it again on the same store, and everything is there: the node, its events in order, the
 * unacknowledged command, the cordon, and the report ids (a replay is still recognised).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { call, T0, TestAgent, xid } from './helpers.js';
import { nodeToken } from '../../src/server/index.js';

const ADMIN_TOKEN = 'restart-admin-token-0123456789';
const NODE_SECRET = 'restart-node-secret-0123456789';
const ENV = { NAVARCH_AUTH_TOKEN: ADMIN_TOKEN, NAVARCH_NODE_SECRET: NODE_SECRET };

let dir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-restart-'));
  await mkdir(join(dir, 'pools'));
  await writeFile(join(dir, 'navarch.yaml'), 'fleet: restart\nproviders:\n  local: { type: fake }\n');
  await writeFile(join(dir, 'pools/train.yaml'), 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 1\n');
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Starts `navarch serve` and resolves with its URL once it listens. */
async function serve(): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawnCli(['serve', '--dir', dir, '--listen', '127.0.0.1:0', '--interval', '1h'], { env: ENV });
  children.push(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`navarch serve exited with ${code}: ${out}`)));
  });
  return { url, child, output: () => out };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('navarch serve restart', () => {
  it('loses no node, event or unacknowledged command across a SIGKILL', async () => {
    const first = await serve();
    const agent = new TestAgent(first.url, 'train-1', nodeToken(NODE_SECRET, 'train-1'));
    expect((await agent.register()).status).toBe(200);
    await agent.heartbeat();
    const hot = { kind: 'thermal' as const, time: new Date(T0).toISOString(), gpu: 2, temperatureC: 86, throttleReasons: ['SwThermalSlowdown'] };
    expect((await agent.report([xid(13, 0), hot], undefined, 'boot-1-100')).body).toEqual({ stored: true });
    expect((await agent.report([xid(31, 1)], undefined, 'boot-1-101')).body).toEqual({ stored: true });
    const cordon = await call(`${first.url}/v1/nodes/train-1/cordon`, { token: ADMIN_TOKEN, body: { reason: 'bad fan' } });
    expect(cordon.status).toBe(200);
    const diag = await call<{ command: { id: string } }>(`${first.url}/v1/nodes/train-1/commands`, { token: ADMIN_TOKEN, body: { kind: 'run-diagnostic', params: { level: 2 } } });
    expect(diag.status).toBe(201);
    const pending = (await agent.commands()).body.commands;
    expect(pending.map((c) => c.kind)).toEqual(['cordon', 'run-diagnostic']);
    expect((await agent.ack(pending[0]?.id ?? '', { result: 'ok', message: 'cordoned' })).status).toBe(200);

    await killed(first.child);
    // What a kill in the middle of a transaction leaves behind: SQLite's lock directory.
    await mkdir(join(dir, '.navarch/control-plane.db.lock'), { recursive: true });
    const second = await serve();
    const again = new TestAgent(second.url, 'train-1', nodeToken(NODE_SECRET, 'train-1'));

    const detail = await call<{ node: { cordoned: boolean; cordon_reason: string; gpus: number; events: Array<{ kind: string; xid?: number; report_id: string }>; commands: Array<{ kind: string; ack: { result: string } | null }> } }>(
      `${second.url}/v1/nodes/train-1`,
      { token: ADMIN_TOKEN },
    );
    expect(detail.status).toBe(200);
    expect(detail.body.node).toMatchObject({ cordoned: true, cordon_reason: 'bad fan', gpus: 8 });
    expect(detail.body.node.events.map((e) => [e.report_id, e.kind, e.xid])).toEqual([
      ['boot-1-100', 'xid', 13],
      ['boot-1-100', 'thermal', undefined],
      ['boot-1-101', 'xid', 31],
    ]);
    expect(detail.body.node.commands.map((c) => [c.kind, c.ack?.result ?? null])).toEqual([
      ['run-diagnostic', null],
      ['cordon', 'ok'],
    ]);
    expect((await again.commands()).body.commands).toEqual([expect.objectContaining({ id: diag.body.command.id, kind: 'run-diagnostic', params: { level: 2 } })]);
    expect((await again.report([xid(31, 1)], undefined, 'boot-1-101')).body).toEqual({ stored: false });
    expect((await again.heartbeat()).status).toBe(200);

    // A second server on the same store is refused while this one runs.
    const rival = spawnCli(['serve', '--dir', dir, '--listen', '127.0.0.1:0'], { env: ENV });
    children.push(rival);
    let rivalErr = '';
    rival.stderr?.on('data', (d: Buffer) => (rivalErr += d.toString()));
    const code = await new Promise<number | null>((resolve) => rival.on('exit', resolve));
    expect(code).toBe(1);
    expect(rivalErr).toMatch(/another navarch serve \(pid \d+\) is using this store/);
  });

  it('refuses to start without its secrets, and says how to get them', async () => {
    const child = spawnCli(['serve', '--dir', dir, '--listen', '127.0.0.1:0']);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('set NAVARCH_AUTH_TOKEN (the admin token) and NAVARCH_NODE_SECRET (the secret node tokens derive from) in the environment');
    expect(err).toContain('--insecure-dev');
  });
});
