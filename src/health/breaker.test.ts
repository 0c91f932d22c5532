import { describe, expect, it } from 'vitest';
import { breakerAllowance, evaluateBreaker, type BadNode, type BreakerInput } from './breaker.js';

const MIN = 60_000;
const now = 100 * MIN;
const bad = (n: number, since = now - MIN): BadNode[] => Array.from({ length: n }, (_, i) => ({ node: `train-${i + 1}`, since }));
const input = (over: Partial<BreakerInput>): BreakerInput => ({ pool: 'train', total: 10, bad: [], percent: 20, windowMs: 10 * MIN, now, prev: undefined, ...over });

describe('breakerAllowance', () => {
  it('allows the share of the pool, and always one node', () => {
    expect(breakerAllowance(10, 20)).toBe(2);
    expect(breakerAllowance(3, 20)).toBe(1);
    expect(breakerAllowance(0, 20)).toBe(1);
    expect(breakerAllowance(10, 100)).toBe(10);
  });
});

describe('evaluateBreaker', () => {
  it('stays closed while failures are within the allowance', () => {
    expect(evaluateBreaker(input({ bad: bad(2) }))).toEqual({ state: { open: false }, withheld: [], transition: undefined });
  });

  it('opens when more fail at once, withholding every one of them', () => {
    const r = evaluateBreaker(input({ bad: bad(3) }));
    expect(r.transition).toBe('opened');
    expect(r.state).toMatchObject({ open: true, openedAt: now });
    expect(r.state.message).toContain('3 of 10 nodes (30%) turned unhealthy or silent within 10m');
    expect(r.withheld).toEqual(['train-1', 'train-2', 'train-3']);
  });

  it('does not close while part of the pool could not be seen', () => {
    const open = evaluateBreaker(input({ bad: bad(5) })).state;
    const blind = evaluateBreaker(input({ total: 0, bad: [], prev: open, partial: true }));
    expect(blind).toEqual({ state: open, withheld: [], transition: undefined });
    expect(evaluateBreaker(input({ bad: [], prev: open })).transition).toBe('closed');
  });

  it('does not open for failures spread out over time', () => {
    const spread = [...bad(2, now - 60 * MIN), ...bad(2, now - MIN).map((b, i) => ({ ...b, node: `train-${i + 5}` }))];
    expect(evaluateBreaker(input({ bad: spread })).state.open).toBe(false);
  });

  it('stays open while the failures last, whatever their age, and closes when they recover', () => {
    const open = evaluateBreaker(input({ bad: bad(5) })).state;
    const later = evaluateBreaker(input({ bad: bad(5), now: now + 120 * MIN, prev: open }));
    expect(later.state.open).toBe(true);
    expect(later.withheld).toHaveLength(5);
    expect(later.transition).toBeUndefined();
    const healed = evaluateBreaker(input({ bad: bad(1), now: now + 121 * MIN, prev: later.state }));
    expect(healed).toEqual({ state: { open: false }, withheld: [], transition: 'closed' });
  });

  it('after an operator reset, accepts the failures seen so far and trips again on new ones', () => {
    const reset = { open: false, resetAt: now };
    expect(evaluateBreaker(input({ bad: bad(5), now: now + MIN, prev: reset })).withheld).toEqual([]);
    const fresh = bad(3, now + 2 * MIN).map((b, i) => ({ ...b, node: `new-${i}` }));
    const r = evaluateBreaker(input({ bad: [...bad(5), ...fresh], now: now + 3 * MIN, prev: reset }));
    expect(r.transition).toBe('opened');
    expect(r.withheld).toEqual(['new-0', 'new-1', 'new-2']);
  });

  it('never trips at 100%', () => {
    expect(evaluateBreaker(input({ bad: bad(10), percent: 100 })).state.open).toBe(false);
  });
});
