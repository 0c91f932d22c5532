/**
 * Lambda's rate limits on a ManualClock: the loopback cloud answers 429 to anything faster than
 * one request per second or one launch per 12 seconds, and the provider must never get one.
 * Nothing here sleeps on real time; the clock moves only when every caller waits on it.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, type ProvisionRequest } from '../../../src/model/index.js';
import { navarchTags, providerFailure, provisionRequest } from '../../helpers/provider-requests.js';
import { lambdaSetupPerTest, type LambdaSetup } from './harness.js';

const start = lambdaSetupPerTest();

const PACED = { request_interval: '1s', launch_interval: '12s' };
const LIMITS = { requestMs: 1_000, launchMs: 12_000 };

const request = (node: string): ProvisionRequest =>
  provisionRequest(node, { instanceType: 'gpu_8x_h100_sxm5', region: 'us-west-1', tags: navarchTags('research', 'train', node) });

/** Polls (on real time, for I/O to happen) until `cond` holds. Synchronisation only, never a measurement. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * Runs `tasks` to completion, moving the clock a second at a time, and only when every unfinished
 * task is waiting on the clock with no request in flight.
 */
async function drive<T>(clock: ManualClock, s: LambdaSetup, tasks: Array<() => Promise<T>>): Promise<T[]> {
  let unfinished = tasks.length;
  const all = Promise.all(tasks.map((t) => t().finally(() => void (unfinished -= 1))));
  all.catch(() => undefined);
  while (unfinished > 0) {
    await until(() => unfinished === 0 || (clock.pending === unfinished && s.server.inFlight === 0));
    if (unfinished > 0) clock.advance(1_000);
  }
  return all;
}

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] as number));

describe('lambda rate limits', () => {
  it('queue launches 12 s apart and space every request a second apart, so the API never says 429', async () => {
    const clock = new ManualClock();
    const s = await start({ clock, settings: PACED, server: { limits: LIMITS } });
    const started = clock.now();
    const made = await drive(
      clock,
      s,
      ['train-1', 'train-2', 'train-3', 'train-4'].map((n) => () => s.provider.provision(request(n))),
    );
    expect(new Set(made.map((i) => i.id)).size).toBe(4);
    expect(s.server.log.filter((r) => r.status === 429)).toEqual([]);
    const launches = s.server.calls('POST', '/instance-operations/launch').map((r) => r.at);
    expect(launches).toHaveLength(4);
    for (const gap of gaps(launches)) expect(gap).toBeGreaterThanOrEqual(12_000);
    for (const gap of gaps(s.server.log.map((r) => r.at))) expect(gap).toBeGreaterThanOrEqual(1_000);
    // The queue starts at once: the first launch waits only for its two reads.
    expect((launches[0] as number) - started).toBeLessThan(12_000);
  });

  it('does not make a node that already exists wait for a launch slot', async () => {
    const clock = new ManualClock();
    const s = await start({ clock, settings: PACED, server: { limits: LIMITS } });
    const [first] = await drive(clock, s, [() => s.provider.provision(request('train-1'))]);
    const before = clock.now();
    const [again] = await drive(clock, s, [() => s.provider.provision(request('train-1'))]);
    expect(again?.id).toBe(first?.id);
    expect(clock.now() - before).toBeLessThan(12_000);
    expect(s.server.calls('POST', '/instance-operations/launch')).toHaveLength(1);
  });

  it('read the API\'s 429 as throttled, with the wait its Retry-After asks for', async () => {
    const clock = new ManualClock();
    // Paced faster than the account allows: the second read is refused.
    const s = await start({ clock, settings: { request_interval: '0s' }, server: { limits: LIMITS } });
    await s.provider.list({ tags: {} });
    const err = await providerFailure(s.provider.list({ tags: {} }));
    expect(err).toMatchObject({ errorClass: 'throttled', retryAfterMs: 1_000, providerCode: 'HTTP 429' });
    expect(err.retryable).toBe(true);
  });

  it('hold every request of the account for as long as a 429 asks', async () => {
    const clock = new ManualClock();
    const s = await start({ clock, settings: PACED, server: { retryAfterSeconds: 30 } });
    s.server.cloud.inject('list', 'throttled');
    const err: unknown = await s.provider.list({ tags: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: 'throttled', retryAfterMs: 30_000 });
    let done = false;
    const next = s.provider.offers!().then(() => void (done = true));
    await until(() => clock.pending === 1);
    clock.advance(29_999);
    await until(() => clock.pending === 1);
    expect(done).toBe(false);
    expect(s.server.log).toHaveLength(1);
    clock.advance(1);
    await next;
    expect(s.server.log.map((r) => r.at - (s.server.log[0]?.at ?? 0))).toEqual([0, 30_000]);
  });
});
