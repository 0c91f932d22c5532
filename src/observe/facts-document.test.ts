import { describe, expect, it } from 'vitest';
import type { NodeFacts } from '../model/index.js';
import { factsDocument, parseFactsDocument } from './facts-document.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('the facts document', () => {
  it('reads back what it wrote, nodes sorted by name', () => {
    const facts = new Map<string, NodeFacts>([
      ['train-2', { health: 'unhealthy', reason: 'XID 79 on GPU 3 (0000:4b:00.0): GPU has fallen off the bus', cordoned: true }],
      ['train-1', { health: 'healthy', reason: undefined, cordoned: false }],
    ]);
    const doc = factsDocument(facts, T0, 'a'.repeat(40));
    expect(doc).toEqual({
      version: 1,
      computed_at: '2026-01-01T00:00:00.000Z',
      desired_commit: 'a'.repeat(40),
      nodes: [
        { name: 'train-1', health: 'healthy', reason: null, cordoned: false },
        { name: 'train-2', health: 'unhealthy', reason: 'XID 79 on GPU 3 (0000:4b:00.0): GPU has fallen off the bus', cordoned: true },
      ],
    });
    const back = parseFactsDocument(JSON.parse(JSON.stringify(doc)));
    expect([...back.facts]).toEqual([...facts].sort(([a], [b]) => a.localeCompare(b)));
    expect(back).toMatchObject({ computedAt: '2026-01-01T00:00:00.000Z', desiredCommit: 'a'.repeat(40) });
  });

  it('refuses a document it cannot read, naming the field', () => {
    const good = factsDocument(new Map([['train-1', { health: 'healthy', reason: undefined, cordoned: false }]]), T0, undefined);
    const bad = (over: Record<string, unknown>): unknown => ({ ...good, ...over });
    expect(() => parseFactsDocument('nope')).toThrow('the body is not a JSON object');
    expect(() => parseFactsDocument(bad({ version: 2 }))).toThrow('version is 2, expected 1');
    expect(() => parseFactsDocument(bad({ computed_at: 'yesterday' }))).toThrow('computed_at must be an ISO-8601 time');
    expect(() => parseFactsDocument(bad({ nodes: {} }))).toThrow('nodes must be an array');
    expect(() => parseFactsDocument(bad({ nodes: [{ name: 'train-1', health: 'sick', reason: null, cordoned: false }] }))).toThrow('nodes/0/health must be one of healthy, degraded, unhealthy, unknown');
    expect(() => parseFactsDocument(bad({ nodes: [{ name: 'train-1', health: 'healthy', reason: null }] }))).toThrow('nodes/0/cordoned must be true or false');
  });
});
