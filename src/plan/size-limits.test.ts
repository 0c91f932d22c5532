import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import schema from '../../schemas/plan.schema.json' with { type: 'json' };
import type { FleetSettings } from '../model/index.js';
import { plan } from './plan.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { renderText } from './render-text.js';
import { desired, node, observed, pool } from './testing.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv, ['date-time']);
const validate = ajv.compile(schema);

const limits = (over: Partial<FleetSettings>): FleetSettings => ({ ...desired([]).settings, ...over });
const kinds = (p: ReturnType<typeof plan>): string[] => p.actions.map((a) => `${a.kind} ${a.node}`);

describe('size limits', () => {
  const d = desired([pool('a', { minNodes: 3, maxNodes: 3 }), pool('b', { minNodes: 4, maxNodes: 10 })], { settings: limits({ maxNodesPerPool: 3, maxCreate: 4 }) });
  const o = observed([node('b', 1)]);

  it('keeps every create and records a guard per limit (the default)', () => {
    const p = plan(d, o, { now: NOW });
    expect(kinds(p)).toEqual(['create a-1', 'create a-2', 'create a-3', 'create b-2', 'create b-3', 'create b-4']);
    expect(p.guards).toEqual([
      { rule: 'pool-size', pool: 'b', count: 4, limit: 3, message: 'pool "b" would grow to 4 nodes, more than safety.max_nodes_per_pool (3) allows without --allow-large' },
      { rule: 'create-count', count: 6, limit: 4, message: 'the plan creates 6 nodes, more than safety.max_create (4) allows in one apply without --allow-large' },
    ]);
    expect(validate(JSON.parse(renderJson(p)))).toBe(true);
    expect(renderText(p, { color: false })).toContain('Error: this plan needs --allow-large\n  - pool "b": would grow to 4 nodes, more than safety.max_nodes_per_pool (3)\n  - creates 6 nodes, more than safety.max_create (4) in one apply\n');
    const md = renderMarkdown(p);
    expect(md).toContain('> [!CAUTION]\n> **This plan needs `--allow-large`** (`allow-large: true` in the action): apply refuses it otherwise.\n>\n');
    expect(md).toContain('> - pool "b": would grow to 4 nodes, more than safety.max\\_nodes\\_per\\_pool (3)\n> - creates 6 nodes, more than safety.max\\_create (4) in one apply');
  });

  it('plans past them with a warning when allowed', () => {
    const p = plan(d, o, { now: NOW, large: 'allow' });
    expect(p.actions).toHaveLength(6);
    expect(p.guards).toEqual([]);
    expect(p.warnings).toEqual([
      'pool "b" would grow to 4 nodes, more than safety.max_nodes_per_pool (3); allowed by --allow-large',
      'the plan creates 6 nodes, more than safety.max_create (4); allowed by --allow-large',
    ]);
  });

  it('creates only up to them when capped, lowest ordinals first, and says what it left out', () => {
    const p = plan(d, o, { now: NOW, large: 'cap' });
    expect(kinds(p)).toEqual(['create a-1', 'create a-2', 'create a-3', 'create b-2']);
    expect(p.guards).toEqual([]);
    expect(p.summary).toEqual({ add: 4, change: 0, destroy: 0 });
    expect(p.pools.map((x) => [x.name, x.nodesAfter])).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
    expect(p.warnings).toHaveLength(2);
    expect(p.warnings[0]).toMatch(/^pool "b" would grow to 4 nodes, more than safety.max_nodes_per_pool \(3\); 1 node not created/);
    expect(p.warnings[1]).toMatch(/^the plan creates 5 nodes, more than safety.max_create \(4\); 1 node left for a later reconcile/);
  });

  it('counts neither replacements nor a pool already past the limit that does not grow', () => {
    const big = desired([pool('a', { minNodes: 5, maxNodes: 5 })], { settings: limits({ maxNodesPerPool: 3, maxCreate: 0 }) });
    const nodes = [1, 2, 3, 4, 5].map((i) => node('a', i, i === 2 ? { health: 'unhealthy', healthReason: 'XID 79' } : {}));
    const p = plan(big, observed(nodes), { now: NOW });
    expect(kinds(p)).toEqual(['replace a-6']);
    expect(p.guards).toEqual([]);
    // Growing it by one is past both limits again.
    const grown = plan(desired([pool('a', { minNodes: 6, maxNodes: 6 })], { settings: big.settings }), observed(nodes.map((n) => ({ ...n, health: 'unknown' }))), { now: NOW });
    expect(grown.guards.map((g) => g.rule)).toEqual(['pool-size', 'create-count']);
  });
});
