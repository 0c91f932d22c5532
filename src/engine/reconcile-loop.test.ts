import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../model/index.js';
import { pauseMs, reconcileLoop, type PassVerdict } from './reconcile-loop.js';

describe('pauseMs', () => {
  it('waits the interval ±10%', () => {
    expect(pauseMs(60_000, 0, { random: () => 0 })).toBe(54_000);
    expect(pauseMs(60_000, 0, { random: () => 0.5 })).toBe(60_000);
    expect(pauseMs(60_000, 0, { random: () => 1 })).toBe(66_000);
  });
  it('doubles after each consecutive failure, up to the cap', () => {
    const at = (failures: number): number => pauseMs(60_000, failures, { random: () => 0.5, maxBackoffMs: 300_000 });
    expect([1, 2, 3, 4, 5].map(at)).toEqual([60_000, 120_000, 240_000, 300_000, 300_000]);
    // The cap never shortens the interval itself.
    expect(pauseMs(600_000, 3, { random: () => 0.5, maxBackoffMs: 60_000 })).toBe(600_000);
  });
});

describe('reconcileLoop', () => {
  it('runs passes on the schedule, backs off after failures, and stops at once while pausing', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const verdicts: PassVerdict[] = ['ok', 'failed', 'failed', 'skipped', 'ok'];
    const pauses: Array<[number, number]> = [];
    let passes = 0;
    const done = reconcileLoop({
      intervalMs: 10_000,
      clock,
      signal: stop.signal,
      random: () => 0.5,
      pass: async () => verdicts[passes++] ?? 'ok',
      onPause: (ms, failures) => pauses.push([ms, failures]),
    });
    for (let i = 0; i < verdicts.length; i++) {
      await vi.waitFor(() => expect(clock.pending).toBe(1));
      clock.advance(pauses[i]?.[0] ?? 0);
    }
    await vi.waitFor(() => expect(clock.pending).toBe(1));
    stop.abort();
    await done;
    expect(passes).toBe(6);
    // A skipped pass (lock busy) keeps the backoff where it was.
    expect(pauses.slice(0, 5)).toEqual([
      [10_000, 0],
      [10_000, 1],
      [20_000, 2],
      [20_000, 2],
      [10_000, 0],
    ]);
  });

  it('lets the pass in flight finish when stopped, then returns without another', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    let release!: () => void;
    const seen: boolean[] = [];
    let passes = 0;
    const done = reconcileLoop({
      intervalMs: 10_000,
      clock,
      signal: stop.signal,
      pass: async (signal) => {
        passes += 1;
        await new Promise<void>((r) => (release = r));
        seen.push(signal.aborted);
        return 'ok';
      },
    });
    await vi.waitFor(() => expect(passes).toBe(1));
    stop.abort();
    let finished = false;
    void done.then(() => (finished = true));
    await Promise.resolve();
    expect(finished).toBe(false);
    release();
    await done;
    expect(seen).toEqual([true]);
    expect(passes).toBe(1);
  });

  it('counts a thrown pass as a failure and reports it', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const errors: unknown[] = [];
    const done = reconcileLoop({
      intervalMs: 1_000,
      clock,
      signal: stop.signal,
      random: () => 0.5,
      pass: async () => {
        throw new Error('git host down');
      },
      onError: (e) => errors.push(e),
      onPause: (ms) => {
        if (errors.length === 2) {
          expect(ms).toBe(2_000);
          stop.abort();
        }
      },
    });
    await vi.waitFor(() => expect(clock.pending).toBe(1));
    clock.advance(1_000);
    await done;
    expect(errors.map((e) => (e as Error).message)).toEqual(['git host down', 'git host down']);
  });
});
