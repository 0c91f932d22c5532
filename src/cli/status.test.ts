import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type FleetStatus, type StatusNode } from '../model/index.js';
import { emptyStatus, serializeStatus } from '../status/index.js';
import { runCommand, type TestRunOptions } from './testing.js';
import type { WatchTrigger } from './watch.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const S = 1000;
const M = 60 * S;
const H = 60 * M;

function statusNode(name: string, over: Partial<StatusNode> = {}): StatusNode {
  return {
    name,
    pool: name.replace(/-\d+$/, ''),
    provider: 'local',
    region: 'local-1',
    zone: 'local-1a',
    instance_type: 'f1.8xh100',
    instance_id: `fake-${name}`,
    spot: false,
    state: 'running',
    health: 'unknown',
    since: ago(3 * H),
    price_per_hour: 23.92,
    launched_at: ago(3 * H + 12 * M),
    ...over,
  };
}

function fleet(nodes: StatusNode[]): FleetStatus {
  const s = emptyStatus('demo', ago(2 * M));
  const pool = (name: string, target: number) => ({
    target,
    min_nodes: target,
    max_nodes: 8,
    nodes: nodes.filter((n) => n.pool === name).length,
    healthy: nodes.filter((n) => n.pool === name && n.health === 'healthy').length,
    last_ordinal: 3,
    protect: false,
    cost_per_hour: nodes.filter((n) => n.pool === name).reduce((x, n) => x + (n.price_per_hour ?? 0), 0),
    conditions: [{ type: 'Ready' as const, status: 'True' as const, reason: 'AtTarget', message: `${target} of ${target} nodes`, since: ago(H) }],
  });
  return { ...s, pools: { serve: pool('serve', 1), train: pool('train', 3) }, nodes, summary: { nodes: nodes.length, healthy: 0, unhealthy: 0, cost_per_hour: 0 } };
}

const WITH_AGENTS = fleet([
  statusNode('serve-1', { instance_type: 'f1.1xh100', spot: true, price_per_hour: 1, launched_at: ago(14 * S), since: ago(14 * S) }),
  statusNode('train-1', {
    health: 'healthy',
    private_ip: '10.0.0.5',
    public_ip: '54.1.2.3',
    agent_version: '0.1.0',
    last_seen: ago(14 * S),
    gpu_health: { gpus: 8, healthy: 8 },
  }),
  statusNode('train-2', {
    health: 'unhealthy',
    health_reason: 'XID 48 on GPU 3 (0000:3b:00.0): double-bit ECC error',
    private_ip: '10.0.0.6',
    agent_version: '0.1.0',
    last_seen: ago(2 * M + 5 * S),
    gpu_health: { gpus: 8, healthy: 7, faults: [{ gpu: 3, reason: 'XID 48' }] },
  }),
  statusNode('train-3', { cordoned: true, health: 'healthy', agent_version: '0.1.0', last_seen: ago(3 * S), gpu_health: { gpus: 8, healthy: 8 } }),
]);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-status-'));
  await mkdir(join(dir, 'pools'));
  await mkdir(join(dir, 'status'));
  await writeFile(join(dir, 'navarch.yaml'), 'fleet: demo\nproviders:\n  local: { type: fake }\n');
  await writeFile(join(dir, 'pools/train.yaml'), 'provider: local\ninstance_type: f1.8xh100\nmin_nodes: 3\nmax_nodes: 8\n');
  await writeFile(join(dir, 'pools/serve.yaml'), 'provider: local\ninstance_type: f1.1xh100\nmin_nodes: 1\nmax_nodes: 8\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const put = (s: FleetStatus): Promise<void> => writeFile(join(dir, 'status/fleet.yaml'), serializeStatus(s));
const status = (args: string[], opts: TestRunOptions = {}) => runCommand(['status', '--dir', dir, ...args], { clock: new ManualClock(NOW), ...opts });

/** The table that starts with `header` in `out`, as rows of cells. */
function rows(out: string, header: string): string[][] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end).map((l) => l.split(/ {2,}/));
}

describe('navarch status', () => {
  it('shows counts as READY/TARGET, ages and last contact in human units, cost so far and GPUs in one cell', async () => {
    await put(WITH_AGENTS);
    const r = await status([]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.split('\n')[0]).toBe(
      'Fleet "demo": 4 nodes (2 ready), 2 healthy, 1 unhealthy, 1 unknown, $72.76/hr ($229.64 since they started); updated 2m ago.',
    );
    expect(rows(r.out, 'POOL')).toEqual([
      ['POOL', 'READY', 'HEALTH', 'MIN-MAX', '$/HR', 'PROTECT', 'CONDITION'],
      ['serve', '1/1', 'unknown', '1-8', '$1.00', 'Ready: 1 of 1 nodes'],
      ['train', '1/3', '2 healthy, 1 unhealthy', '3-8', '$71.76', 'Ready: 3 of 3 nodes'],
    ]);
    expect(rows(r.out, 'NODE')).toEqual([
      ['NODE', 'POOL', 'TYPE', 'MARKET', 'STATE', 'HEALTH', 'GPUS', 'AGE', 'LAST SEEN', '$/HR', 'COST', 'NOTE'],
      ['serve-1', 'serve', 'f1.1xh100', 'spot', 'running', 'unknown', 'unknown', '14s', '-', '$1.00', '$0.00'],
      ['train-1', 'train', 'f1.8xh100', 'on-demand', 'running', 'healthy', '8/8 ok', '3h12m', '14s ago', '$23.92', '$76.54'],
      ['train-2', 'train', 'f1.8xh100', 'on-demand', 'running', 'unhealthy', '7/8: GPU 3 XID 48', '3h12m', '2m5s ago', '$23.92', '$76.54', 'XID 48 on GPU 3 (0000:3b:00.0): double-bit ECC error'],
      ['train-3', 'train', 'f1.8xh100', 'on-demand', 'running,cordoned', 'healthy', '8/8 ok', '3h12m', '3s ago', '$23.92', '$76.54'],
    ]);
  });

  it('says unknown where no agent has reported, never "0 healthy"', async () => {
    await put(fleet([statusNode('train-1'), statusNode('train-2')]));
    const r = await status([]);
    expect(r.out.split('\n')[0]).toMatch(/^Fleet "demo": 2 nodes \(2 ready\), health unknown \(no agent has reported\), /);
    expect(r.out).not.toMatch(/\b0 healthy\b/);
    expect(rows(r.out, 'POOL')[2]).toEqual(['train', '2/3', 'unknown', '3-8', '$47.84', 'Ready: 3 of 3 nodes']);
    expect(rows(r.out, 'NODE')[1]?.slice(5, 9)).toEqual(['unknown', 'unknown', '3h12m', '-']);
  });

  it('-o wide adds each node\'s zone, addresses and agent version', async () => {
    await put(WITH_AGENTS);
    const table = rows((await status(['-o', 'wide'])).out, 'NODE');
    expect(table[0]?.slice(0, 9)).toEqual(['NODE', 'POOL', 'TYPE', 'MARKET', 'ZONE', 'INTERNAL-IP', 'EXTERNAL-IP', 'AGENT', 'STATE']);
    expect(table[1]?.slice(4, 8)).toEqual(['local local-1a', '-', '-', '-']);
    expect(table[2]?.slice(4, 8)).toEqual(['local local-1a', '10.0.0.5', '54.1.2.3', '0.1.0']);
    expect((await status(['--output', 'xml'])).err).toMatch(/argument 'xml' is invalid\. Allowed choices are text, json, wide/);
  });

  it('--pool shows one pool and its nodes, in text and JSON; an unknown pool is an error naming the known ones', async () => {
    await put(WITH_AGENTS);
    const r = await status(['--pool', 'serve']);
    expect(r.out.split('\n')[0]).toMatch(/^Pool "serve" of fleet "demo": 1 node \(1 ready\), health unknown/);
    expect(rows(r.out, 'POOL').map((row) => row[0])).toEqual(['POOL', 'serve']);
    expect(rows(r.out, 'NODE').map((row) => row[0])).toEqual(['NODE', 'serve-1']);
    const doc = JSON.parse((await status(['--pool', 'serve', '-o', 'json'])).out) as FleetStatus;
    expect(Object.keys(doc.pools)).toEqual(['serve']);
    expect(doc.nodes.map((n) => n.name)).toEqual(['serve-1']);
    expect(JSON.parse((await status(['-o', 'json'])).out)).toEqual(JSON.parse((await status(['--json'])).out));
    const bad = await status(['--pool', 'infer']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('error: --pool infer: status/fleet.yaml has no such pool (it has serve, train)\n');
  });
});

/** A trigger that runs each step (changing the status, moving the clock), then says "look again"; it ends after the last. */
function steps(...actions: Array<() => Promise<void> | void>): WatchTrigger {
  return async function* (_what, signal) {
    for (const act of actions) {
      if (signal.aborted) return;
      await act();
      yield;
    }
  };
}

describe('navarch status --watch', () => {
  it('off a terminal: prints each new state once, skips reads that say nothing new, and exits 0 when stopped', async () => {
    await put(fleet([statusNode('train-1')]));
    const clock = new ManualClock(NOW);
    const twoNodes = fleet([statusNode('train-1'), statusNode('train-2')]);
    const watch = steps(
      () => clock.advance(5 * S), // nothing new
      () => put({ ...fleet([statusNode('train-1')]), updated_at: ago(0) }), // only its timestamp moved
      () => put(twoNodes),
      () => writeFile(join(dir, 'status/fleet.yaml'), 'not: [a status'), // caught mid-edit
      () => writeFile(join(dir, 'status/fleet.yaml'), 'not: [a status'), // still
      () => put(twoNodes),
    );
    const r = await status(['--watch'], { clock, watch });
    expect(r.code).toBe(0);
    const titles = r.out.split('\n').filter((l) => l.startsWith('Fleet "demo"'));
    expect(titles).toEqual([expect.stringMatching(/^Fleet "demo": 1 node /), expect.stringMatching(/^Fleet "demo": 2 nodes /)]);
    expect(r.out).not.toContain('\u001b[');
    // The failed reads are said once, and watching went on.
    expect(r.err.match(/^error: status\/fleet\.yaml: not valid YAML: /gm)).toHaveLength(1);
    expect(r.err.endsWith(' (still watching)\n')).toBe(true);
  });

  it('on a terminal: redraws in place at every look, ages moving on', async () => {
    await put(fleet([statusNode('serve-1', { launched_at: ago(10 * S) })]));
    const clock = new ManualClock(NOW);
    const r = await status(['--watch', '--no-color'], { clock, tty: true, watch: steps(() => clock.advance(50 * S)) });
    expect(r.code).toBe(0);
    const frames = r.out.split('\u001b[H\u001b[2J');
    expect(frames).toHaveLength(3);
    expect(frames[0]).toBe('');
    expect(rows(frames[1] ?? '', 'NODE')[1]?.[7]).toBe('10s');
    expect(rows(frames[2] ?? '', 'NODE')[1]?.[7]).toBe('1m');
  });

  it('-o json: one status document per line, per new state', async () => {
    await put(fleet([statusNode('train-1')]));
    const r = await status(['--watch', '-o', 'json'], { watch: steps(() => put(fleet([statusNode('train-1'), statusNode('train-2')]))) });
    const docs = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as FleetStatus);
    expect(docs.map((d) => d.nodes.length)).toEqual([1, 2]);
  });

  it('asks to be woken by changes of the status file of a directory', async () => {
    await put(fleet([statusNode('train-1')]));
    const asked: Array<{ file: string | undefined; intervalMs: number }> = [];
    const watch: WatchTrigger = async function* (what) {
      asked.push(what);
      yield* [];
    };
    expect((await status(['--watch', '--interval', '5s'], { watch })).code).toBe(0);
    expect(asked).toEqual([{ file: join(dir, 'status/fleet.yaml'), intervalMs: 5000 }]);
    expect((await status(['--watch', '--interval', 'soon'], { watch })).err).toMatch(/--interval must be a duration/);
  });
});
