import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Instance } from '../model/index.js';
import { desired, node, observed, pool } from '../plan/testing.js';
import { StatusBook } from './book.js';
import { NODE_KEYS, parseStatus, serializeStatus } from './status-file.js';
import { ordinalOf, labelsOf } from './names.js';

const clockAt = (iso: string) => () => iso;

function instance(name: string, pool: string, id: string): Instance {
  return {
    id,
    provider: 'local',
    region: 'local-1',
    zone: 'local-1a',
    instanceType: 'f1.8xh100',
    spot: false,
    state: 'pending',
    tags: { 'navarch-node': name, 'navarch-pool': pool },
    launchedAt: undefined,
    privateIp: undefined,
    publicIp: undefined,
  };
}

describe('StatusBook', () => {
  const d = desired([pool('train', { minNodes: 2, targetNodes: 2 })]);

  it('records created and destroyed nodes, ordinals, prices and conditions', () => {
    const book = new StatusBook(d, observed([node('train', 1)]), undefined, clockAt('2026-01-01T00:00:00.000Z'));
    book.nodeCreated(instance('train-7', 'train', 'fake-7'), 'local local-1: InsufficientCapacity → local local-2');
    const mid = book.snapshot();
    expect(mid.nodes.map((n) => n.name)).toEqual(['train-1', 'train-7']);
    expect(mid.nodes[1]).toMatchObject({ state: 'pending', health: 'unknown', price_per_hour: 23.92, placement_note: 'local local-1: InsufficientCapacity → local local-2' });
    expect(mid.pools['train']).toMatchObject({ nodes: 2, last_ordinal: 7, cost_per_hour: 47.84 });
    expect(mid.pools['train']?.applied).toBeUndefined(); // only recorded when the apply finishes
    expect(mid.pools['train']?.conditions.find((c) => c.type === 'Progressing')?.status).toBe('True');
    book.nodeDestroyed('fake-train-1');
    const end = book.snapshot({ summary: '1 to add, 0 to change, 1 to destroy', result: 'applied', actions: 2 });
    expect(end.nodes.map((n) => n.name)).toEqual(['train-7']);
    expect(end.pools['train']?.applied).toEqual(d.poolDocuments['train']);
    expect(end.desired.digest).toBe(d.digest);
    expect(end.history).toHaveLength(1);
    expect(end.pools['train']?.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'BelowTarget' });
  });

  it('keeps `since` while a node stays in its state, and collapses repeated no-change reconciles', () => {
    const first = new StatusBook(d, observed([node('train', 1), node('train', 2)]), undefined, clockAt('2026-01-01T00:00:00.000Z'));
    const s1 = first.snapshot({ summary: '0 to add, 0 to change, 0 to destroy', result: 'no-changes', actions: 0 });
    const second = new StatusBook(d, observed([node('train', 1), node('train', 2, { state: 'failed' })]), s1, clockAt('2026-01-02T00:00:00.000Z'));
    const s2 = second.snapshot({ summary: '0 to add, 0 to change, 0 to destroy', result: 'no-changes', actions: 0 });
    expect(s2.nodes.map((n) => n.since)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
    expect(s2.history).toEqual([expect.objectContaining({ time: '2026-01-02T00:00:00.000Z', result: 'no-changes' })]);
    const ready = s2.pools['train']?.conditions.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'Unhealthy', since: '2026-01-02T00:00:00.000Z' });
  });

  it("records launch times and addresses, and carries what the nodes' agents said from the last status", () => {
    const launched = '2025-12-31T22:00:00.000Z';
    const first = new StatusBook(d, observed([node('train', 1, { launchedAt: launched, privateIp: '10.0.0.5', publicIp: '54.1.2.3' })]), undefined, clockAt('2026-01-01T00:00:00.000Z'));
    first.nodeCreated({ ...instance('train-2', 'train', 'fake-2'), privateIp: '10.0.0.6' });
    const s1 = first.snapshot();
    expect(s1.nodes[0]).toMatchObject({ launched_at: launched, private_ip: '10.0.0.5', public_ip: '54.1.2.3' });
    // The cloud did not say when: created now.
    expect(s1.nodes[1]).toMatchObject({ launched_at: '2026-01-01T00:00:00.000Z', private_ip: '10.0.0.6' });
    expect(s1.nodes[1]).not.toHaveProperty('public_ip');

    const heard = { ...s1, nodes: s1.nodes.map((n) => ({ ...n, agent_version: '0.1.0', last_seen: '2026-01-01T00:00:05.000Z', gpu_health: { gpus: 8, healthy: 8 } })) };
    const second = new StatusBook(d, observed([node('train', 1, { launchedAt: launched }), node('train', 2, { instanceId: 'fake-2' })]), heard, clockAt('2026-01-01T00:01:00.000Z'));
    const s2 = second.snapshot();
    expect(s2.nodes.map((n) => [n.name, n.launched_at, n.agent_version, n.last_seen, n.gpu_health])).toEqual([
      ['train-1', launched, '0.1.0', '2026-01-01T00:00:05.000Z', { gpus: 8, healthy: 8 }],
      ['train-2', '2026-01-01T00:00:00.000Z', '0.1.0', '2026-01-01T00:00:05.000Z', { gpus: 8, healthy: 8 }],
    ]);
    expect(parseStatus(serializeStatus(s2), 'status/fleet.yaml')).toEqual(s2);
  });

  it('bounds the history', () => {
    const small = { ...d, settings: { ...d.settings, historyLimit: 2 } };
    let prev;
    for (const day of ['01', '02', '03']) {
      prev = new StatusBook(small, observed([]), prev, clockAt(`2026-01-${day}T00:00:00.000Z`)).snapshot({ summary: 's', result: 'applied', actions: 1 });
    }
    expect(prev?.history.map((h) => h.time)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
  });
});

describe('status file', () => {
  it('round-trips through YAML byte for byte', () => {
    const s = new StatusBook(desired([pool('train')]), observed([node('train', 1)]), undefined, clockAt('2026-01-01T00:00:00.000Z')).snapshot({ summary: 's', result: 'applied', actions: 1 });
    const text = serializeStatus(s);
    expect(text.startsWith('# Written by navarch')).toBe(true);
    expect(serializeStatus(parseStatus(text, 'status/fleet.yaml'))).toBe(text);
  });
  it('writes a node\'s keys in the schema\'s order, whichever writer filled them in first', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/status.schema.json', import.meta.url), 'utf8')) as { $defs: { node: { properties: object } } };
    expect(NODE_KEYS).toEqual(Object.keys(schema.$defs.node.properties));
    const s = new StatusBook(desired([pool('train')]), observed([node('train', 1)]), undefined, clockAt('2026-01-01T00:00:00.000Z')).snapshot({ summary: 's', result: 'applied', actions: 1 });
    const [first] = s.nodes;
    if (!first) throw new Error('no node');
    const { name, price_per_hour, ...rest } = first;
    expect(price_per_hour).toBeDefined();
    const shuffled = { ...s, nodes: [{ agent_version: '0.1.0', ...rest, ...(price_per_hour === undefined ? {} : { price_per_hour }), name }] };
    const tidy = { ...s, nodes: [{ ...first, agent_version: '0.1.0' }] };
    expect(serializeStatus(shuffled)).toBe(serializeStatus(tidy));
  });
  it('refuses a hand-edited or foreign file with a clear message', () => {
    expect(() => parseStatus('version: 1\nfleet: x\n', 'status/fleet.yaml')).toThrow(/status\/fleet.yaml: not a navarch status file: .*restore it from git/);
    expect(() => parseStatus('a: [', 'status/fleet.yaml')).toThrow(/not valid YAML/);
  });
});

describe('names', () => {
  it('parses ordinals only from well-formed names', () => {
    expect(ordinalOf('train-12', 'train')).toBe(12);
    expect(ordinalOf('train-a-3', 'train-a')).toBe(3);
    expect(ordinalOf('train-03', 'train')).toBe(-1);
    expect(ordinalOf('other-1', 'train')).toBe(-1);
    expect(ordinalOf('train-1', '')).toBe(-1);
  });
  it('separates user labels from navarch tags', () => {
    expect(labelsOf({ team: 'ml', 'navarch-pool': 'x', 'navarch-future': 'y', a: 'b' })).toEqual({ a: 'b', team: 'ml' });
  });
});
