import { describe, expect, it } from 'vitest';
import { withBreakerConditions } from './conditions.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('withBreakerConditions', () => {
  it('adds RemediationHalted, moving since only on a change', () => {
    const base = { pools: { train: { conditions: [] } }, updated_at: '2026-01-01T00:10:00.000Z' } as unknown as Parameters<typeof withBreakerConditions>[0];
    const open = withBreakerConditions(base, { train: { open: true, openedAt: T0, message: 'halted' } }, undefined);
    expect(open.pools['train']?.conditions).toEqual([{ type: 'RemediationHalted', status: 'True', reason: 'CircuitBreakerOpen', message: 'halted', since: '2026-01-01T00:00:00.000Z' }]);
    const later = withBreakerConditions({ ...base, updated_at: '2026-01-01T01:00:00.000Z' }, { train: { open: true, openedAt: T0 } }, open);
    expect(later.pools['train']?.conditions[0]?.since).toBe('2026-01-01T00:00:00.000Z');
    const closed = withBreakerConditions(base, {}, open);
    expect(closed.pools['train']?.conditions[0]).toMatchObject({ status: 'False', since: '2026-01-01T00:10:00.000Z' });
  });
});
