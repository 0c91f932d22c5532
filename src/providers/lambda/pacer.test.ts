import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../model/index.js';
import { Pacer } from './pacer.js';

/** Lets promise callbacks run (ManualClock resolves sleepers synchronously on advance). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Pacer', () => {
  it('lets the first caller through at once and spaces the rest in arrival order', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock, 1000);
    const left: string[] = [];
    const go = (name: string): Promise<void> => pacer.take().then(() => void left.push(`${name}@${clock.now() - start}`));
    const start = clock.now();
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
