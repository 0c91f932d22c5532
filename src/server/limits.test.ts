import { describe, expect, it } from 'vitest';
import { ManualClock } from '../model/index.js';
import { NodeRateLimiter } from './limits.js';

const limits = { requests: { burst: 3, perSecond: 1 }, bytes: { burst: 1000, perSecond: 100 } };

describe('NodeRateLimiter', () => {
  it('lets a burst through, then asks for the time the allowance takes to refill', () => {
    const clock = new ManualClock();
    const l = new NodeRateLimiter(limits, clock);
    for (let i = 0; i < 3; i++) expect(l.take('a', 10).retryAfterS).toBe(0);
    expect(l.take('a', 10)).toEqual({ retryAfterS: 1, first: true });
    expect(l.take('a', 10)).toEqual({ retryAfterS: 1, first: false });
    // Another node has its own allowance.
    expect(l.take('b', 10).retryAfterS).toBe(0);
    clock.advance(1000);
    expect(l.take('a', 10).retryAfterS).toBe(0);
  });

  it('counts body bytes, and waits for a full bucket for a body larger than the burst', () => {
    const clock = new ManualClock();
    const l = new NodeRateLimiter(limits, clock);
    expect(l.take('a', 900).retryAfterS).toBe(0);
    // 100 left; 500 more take 4 s at 100 B/s.
    expect(l.take('a', 500).retryAfterS).toBe(4);
    clock.advance(4000);
    expect(l.take('a', 500).retryAfterS).toBe(0);
    clock.advance(60_000);
    expect(l.take('a', 10_000).retryAfterS).toBe(0);
  });
});
