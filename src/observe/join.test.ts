import { describe, expect, it } from 'vitest';
import { node, observed } from '../plan/testing.js';
import { joinFacts } from './observe.js';

describe('joinFacts', () => {
  it("puts the control plane's facts in place of what the status file remembered", () => {
    const fleet = observed([node('train', 1, { health: 'healthy' }), node('train', 2, { health: 'unhealthy', healthReason: 'old news' }), node('train', 3, { health: 'degraded' })]);
    const facts = new Map([
      ['train-1', { health: 'unhealthy' as const, reason: 'XID 79', cordoned: true }],
      ['train-2', { health: 'healthy' as const, reason: undefined, cordoned: false }],
    ]);
    const joined = joinFacts(fleet, facts);
    expect(joined.nodes.map((n) => [n.name, n.health, n.healthReason, n.cordoned])).toEqual([
      ['train-1', 'unhealthy', 'XID 79', true],
      ['train-2', 'healthy', undefined, false],
      ['train-3', 'degraded', undefined, false],
    ]);
  });
});
