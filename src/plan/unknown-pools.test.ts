/** A provider that could not be listed freezes its pools: plan decides nothing about them and says they are unknown. */
import { describe, expect, it } from 'vitest';
import { planHasChanges } from '../model/index.js';
import { plan } from './plan.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { renderText } from './render-text.js';
import { candidate, desired, node, observed, pool } from './testing.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const recorded = (name: string) => ({ [name]: { name, lastOrdinal: 2, protect: false, applied: { name, min_nodes: 2, max_nodes: 10 } } });
const auth = { provider: 'local', reason: 'credentials rejected', pools: ['train'] };

describe('plan: pools whose provider could not be listed', () => {
  it('plans nothing for a pool placed on it and names it unknown', () => {
    const d = desired([pool('train')]);
    const p = plan(d, observed([], { pools: recorded('train'), gaps: [auth] }), { now: NOW });
    expect(p.actions).toEqual([]);
    expect(p.unknown).toEqual([{ pool: 'train', providers: ['local'], reason: 'provider "local" could not be listed: credentials rejected' }]);
    expect(p.pools).toEqual([expect.objectContaining({ name: 'train', change: 'none', patch: [] })]);
  });

  it('creates nothing elsewhere for a pool with recorded nodes on it, even when the pool now prefers another provider', () => {
    const other = candidate({ provider: 'spare' });
    const d = desired([pool('train', { candidates: [other] })]);
    const p = plan(d, observed([], { pools: recorded('train'), gaps: [auth] }), { now: NOW });
    expect(p.actions).toEqual([]);
    expect(p.unknown.map((u) => u.pool)).toEqual(['train']);
  });

  it('does not destroy the listed nodes of a removed pool that also has nodes on it', () => {
    const elsewhere = node('train', 1, { provider: 'spare' });
    const p = plan(desired([]), observed([elsewhere], { pools: recorded('train'), gaps: [auth] }), { now: NOW });
    expect(p.actions).toEqual([]);
    expect(p.guards).toEqual([]);
    expect(p.unknown.map((u) => u.pool)).toEqual(['train']);
  });

  it('still plans the pools that do not depend on it', () => {
    const serve = pool('serve', { minNodes: 1, targetNodes: 1, candidates: [candidate({ provider: 'spare' })] });
    const d = desired([pool('train'), serve]);
    const p = plan(d, observed([], { pools: recorded('train'), gaps: [auth] }), { now: NOW });
    expect(p.actions.map((a) => a.id)).toEqual(['create:serve-1']);
    expect(p.unknown.map((u) => u.pool)).toEqual(['train']);
  });

  it('never renders as "matches": text, JSON and markdown say which pools are unknown and why', () => {
    const p = plan(desired([pool('train')]), observed([], { pools: recorded('train'), gaps: [auth] }), { now: NOW });
    expect(planHasChanges(p)).toBe(false);
    const text = renderText(p, { color: false });
    expect(text).not.toContain('matches');
    expect(text).toContain('No changes to the pools that could be observed.');
    expect(text).toContain('Unknown: these pools are left exactly as they are until their provider can be listed again:');
    expect(text).toContain('  - pool "train": provider "local" could not be listed: credentials rejected');
    const md = renderMarkdown(p);
    expect(md).not.toContain('matches');
    expect(md).toContain('**Not fully planned:** 1 pool is unknown');
    expect(md).toContain('> - pool `train`: provider "local" could not be listed: credentials rejected');
    expect(JSON.parse(renderJson(p)).unknown).toEqual([{ pool: 'train', providers: ['local'], reason: 'provider "local" could not be listed: credentials rejected' }]);
  });

  it('depends on the gaps: the same fleet listed in full is planned as usual', () => {
    const d = desired([pool('train')]);
    const p = plan(d, observed([], { pools: recorded('train') }), { now: NOW });
    expect(p.unknown).toEqual([]);
    expect(p.actions.map((a) => a.id)).toEqual(['create:train-3', 'create:train-4']);
  });
});
