import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../model/index.js';
import { bookTogether, Pacer } from './pacer.js';

/** Lets promise callbacks run (ManualClock resolves sleepers synchronously on advance). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Pacer', () => {
  it('lets the first caller through at once and spaces the rest in arrival order', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock, 1000);
    const start = clock.now();
    const left: string[] = [];
    const go = (name: string): Promise<void> => pacer.take().then(() => void left.push(`${name}@${clock.now() - start}`));
    const all = Promise.all([go('a'), go('b'), go('c')]);
    await flush();
    expect(left).toEqual(['a@0']);
    clock.advance(999);
    await flush();
    expect(left).toEqual(['a@0']);
    clock.advance(1);
    await flush();
    expect(left).toEqual(['a@0', 'b@1000']);
    clock.advance(1000);
    await all;
    expect(left).toEqual(['a@0', 'b@1000', 'c@2000']);
  });

  it('does not make a caller wait after a quiet spell', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock, 1000);
    await pacer.take();
    clock.advance(5000);
    await pacer.take();
    expect(clock.pending).toBe(0);
  });

  it('fills a gap before a time booked further ahead', () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock, 1000);
    const now = clock.now();
    pacer.book(now + 10_000);
    expect(pacer.earliest(now)).toBe(now);
    expect(pacer.earliest(now + 9_500)).toBe(now + 11_000);
    pacer.book(now);
    expect(pacer.earliest(now)).toBe(now + 1000);
  });

  it('holds everyone when the server asks for a pause', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock, 1000);
    await pacer.take();
    pacer.holdFor(30_000);
    let through = false;
    const p = pacer.take().then(() => void (through = true));
    clock.advance(29_999);
    await flush();
    expect(through).toBe(false);
    clock.advance(1);
    await p;
    expect(through).toBe(true);
  });

  it('gives up the wait when the caller aborts', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock, 1000);
    await pacer.take();
    const ac = new AbortController();
    const waiting = pacer.take(ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(pacer.take(ac.signal)).rejects.toThrow('stop');
  });

  it('never waits with a zero interval', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock, 0);
    await Promise.all([pacer.take(), pacer.take(), pacer.take()]);
    expect(clock.pending).toBe(0);
  });
});

describe('bookTogether', () => {
  it('finds a time free in every pacer, so launches are spaced by when they are sent', () => {
    const clock = new ManualClock();
    const requests = new Pacer(clock, 1000);
    const launches = new Pacer(clock, 12_000);
    const now = clock.now();
    // Reads have the next eight seconds booked; the first launch goes right after them...
    for (let i = 0; i < 8; i++) requests.book(now + i * 1000);
    void bookTogether(clock, [launches, requests]);
    expect(launches.earliest(now)).toBe(now + 8_000 + 12_000);
    // ...and the second twelve seconds after the first was sent, not after it was asked for.
    void bookTogether(clock, [launches, requests]);
    expect(requests.earliest(now + 20_000)).toBe(now + 21_000);
    expect(launches.earliest(now)).toBe(now + 32_000);
  });
});
