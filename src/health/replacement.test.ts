import { describe, expect, it } from 'vitest';
import type { Action } from '../model/index.js';
import {
  advanceReplacement,
  recordOutcome,
  replacementFinished,
  replacementOutcome,
  startReplacement,
  type Replacement,
  type ReplacementFacts,
  type ReplacementSettings,
} from './replacement.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;
const S: ReplacementSettings = { readyTimeoutMs: 15 * MIN, readyGraceMs: 2 * MIN, drainTimeoutMs: 10 * MIN };
const REASON = 'XID 79 on GPU 3: GPU has fallen off the bus';

function action(over: Partial<Action> = {}): Action {
  return {
    id: 'replace:train-3',
    kind: 'replace',
    pool: 'train',
    node: 'train-3',
    reason: { code: 'unhealthy', message: REASON },
    placements: [],
    existing: { name: 'train-1', pool: 'train', provider: 'local', region: 'local-1', zone: 'local-1a', instanceType: 'f1.8xh100', instanceId: 'fake-1', spot: false, pricePerHour: 1 },
    order: 'create-before-destroy',
    labels: undefined,
    costDelta: 0,
    ...over,
  };
}

const NEW = { id: 'fake-3', provider: 'local', region: 'local-1', zone: 'local-1a' };
const facts = (over: Partial<ReplacementFacts> = {}): ReplacementFacts => ({
  oldListed: true,
  oldHealth: 'unhealthy',
  drained: true,
  newListed: undefined,
  newAgent: undefined,
  halted: undefined,
  ...over,
});
const listed = { newListed: { ...NEW, launchedAt: T0 } };
const healthy = { newAgent: { registeredAt: T0 + MIN, verdict: { health: 'healthy' as const, cause: 'healthy' as const, reason: undefined }, lastReport: { health: 'healthy' as const } } };

/** A replacement cordoned at T0 whose new node was created at T0, in `state`. */
function at(state: Replacement['state'], over: Partial<Replacement> = {}, a: Partial<Action> = {}): Replacement {
  return { ...startReplacement(action(a), T0), state, cordonedAt: T0, instance: { ...NEW, createdAt: T0 }, ...over };
}

describe('advanceReplacement', () => {
  it('starts by cordoning the old node and creating the replacement, in parallel', () => {
    const step = advanceReplacement(startReplacement(action(), T0), facts({ drained: undefined }), S, T0);
    expect(step.next).toMatchObject({ state: 'waiting', since: T0, waitingFor: 'train-1 to be cordoned; train-3: its agent has not registered' });
    expect(step.effects).toEqual([{ type: 'cordon', node: 'train-1', pool: 'train', reason: REASON }, { type: 'create' }]);
    expect(step.wakeAt).toBe(T0 + 15 * MIN);
  });

  it('owes an effect until its outcome is recorded, and finds a replacement created before a crash', () => {
    const started = startReplacement(action(), T0);
    // Killed after the create, before its outcome was recorded: the listed instance is adopted, not created again.
    const step = advanceReplacement({ ...started, state: 'waiting', cordonedAt: T0 }, facts({ ...listed, drained: undefined }), S, T0 + 5);
    expect(step.effects).toEqual([]);
    expect(step.next.instance).toEqual({ ...NEW, createdAt: T0 });
    const cordoned = recordOutcome(started, { type: 'cordoned' }, T0 + 1);
    expect(recordOutcome(cordoned, { type: 'cordoned' }, T0 + 9).cordonedAt).toBe(T0 + 1);
    expect(recordOutcome(cordoned, { type: 'created', instance: NEW }, T0 + 2).instance).toEqual({ ...NEW, createdAt: T0 + 2 });
  });

  it.each([
    ['not registered', {}, 'train-3: its agent has not registered', T0 + 15 * MIN],
    [
      'registered, no report yet',
      { newAgent: { registeredAt: T0 + MIN, verdict: { health: 'unknown' as const, cause: 'waiting' as const, reason: 'registered' }, lastReport: undefined } },
      'train-3: registered; waiting for its first health report',
      T0 + 3 * MIN,
    ],
    [
      'last report unhealthy (not yet condemned)',
      { newAgent: { registeredAt: T0 + MIN, verdict: { health: 'degraded' as const, cause: 'degraded' as const, reason: 'hot' }, lastReport: { health: 'unhealthy' as const, reason: 'GPU at 93°C' } } },
      'train-3: its last health report was unhealthy: GPU at 93°C',
      T0 + 15 * MIN,
    ],
  ])('waits while the replacement is %s', (_what, agent, waitingFor, wakeAt) => {
    const step = advanceReplacement(at('waiting'), facts({ ...listed, ...agent }), S, T0 + 2 * MIN);
    expect(step.next).toMatchObject({ state: 'waiting', waitingFor });
    expect(step.effects).toEqual([]);
    expect(step.wakeAt).toBe(wakeAt);
  });

  it('terminates the old node once the replacement is ready and the drain is done', () => {
    const step = advanceReplacement(at('waiting'), facts({ ...listed, ...healthy }), S, T0 + 2 * MIN);
    expect(step.next).toMatchObject({ state: 'terminating', since: T0 + 2 * MIN, readyAt: T0 + 2 * MIN, drainedAt: T0 + 2 * MIN });
    expect(step.next.waitingFor).toBeUndefined();
    expect(step.effects).toEqual([{ type: 'terminate', target: 'old', instanceId: 'fake-1', provider: 'local' }]);
    const gone = recordOutcome(step.next, { type: 'terminated', target: 'old' }, T0 + 3 * MIN);
    const done = advanceReplacement(gone, facts({ ...listed, ...healthy, oldListed: false }), S, T0 + 3 * MIN);
    expect(done.next).toMatchObject({ state: 'done', terminatedAt: T0 + 3 * MIN });
    expect(done.effects).toEqual([{ type: 'clear-backoff' }]);
    expect(replacementFinished(done.next)).toBe(false);
    expect(replacementFinished(recordOutcome(done.next, { type: 'backoff-cleared' }, T0 + 3 * MIN))).toBe(true);
    expect(replacementOutcome(done.next)).toEqual({ result: 'ok', message: `replaced train-1 with train-3 (fake-3 on local local-1a); train-1 was unhealthy: ${REASON}` });
  });

  it('counts a registered replacement with no report as ready after the grace', () => {
    const agent = { newAgent: { registeredAt: T0 + MIN, verdict: { health: 'unknown' as const, cause: 'waiting' as const, reason: undefined }, lastReport: undefined } };
    expect(advanceReplacement(at('waiting'), facts({ ...listed, ...agent }), S, T0 + 3 * MIN).next.state).toBe('terminating');
  });

  it('waits for the drain, then goes anyway after drain_timeout', () => {
    const busy = facts({ ...listed, ...healthy, drained: false });
    const waiting = advanceReplacement(at('waiting'), busy, S, T0 + 4 * MIN);
    expect(waiting.next).toMatchObject({ state: 'waiting', readyAt: T0 + 4 * MIN, waitingFor: 'the drain of train-1 (4m of 10m)' });
    expect(waiting.wakeAt).toBe(T0 + 10 * MIN);
    const late = advanceReplacement(waiting.next, busy, S, T0 + 10 * MIN);
    expect(late.next).toMatchObject({ state: 'terminating', drainTimedOut: true });
    // A drain status that cannot be read counts as not drained.
    expect(advanceReplacement(at('waiting'), facts({ ...listed, ...healthy, drained: undefined }), S, T0 + MIN).next.state).toBe('waiting');
  });

  it('keeps the old node while a circuit breaker is open', () => {
    const step = advanceReplacement(at('waiting'), facts({ ...listed, ...healthy, halted: 'pool "train": 2 of 2 nodes' }), S, T0 + 2 * MIN);
    expect(step.next).toMatchObject({ state: 'waiting', waitingFor: 'the circuit breaker to close before removing train-1 (pool "train": 2 of 2 nodes)' });
    expect(step.effects).toEqual([]);
  });

  it('fails when the replacement is unhealthy: it is terminated, the broken old node stays cordoned, the pool backs off', () => {
    const agent = { newAgent: { registeredAt: T0 + MIN, verdict: { health: 'unhealthy' as const, cause: 'boot-checks' as const, reason: 'boot check gpu-count failed: found 7 of 8 GPUs' }, lastReport: undefined } };
    const step = advanceReplacement(at('waiting'), facts({ ...listed, ...agent }), S, T0 + MIN);
    const failure = 'replacement train-3 is unhealthy: boot check gpu-count failed: found 7 of 8 GPUs; train-1 is kept';
    expect(step.next).toMatchObject({ state: 'failed', failure, release: false });
    expect(step.effects).toEqual([
      { type: 'terminate', target: 'new', instanceId: 'fake-3', provider: 'local' },
      { type: 'backoff', message: failure },
    ]);
    let r = recordOutcome(step.next, { type: 'terminated', target: 'new' }, T0 + MIN);
    expect(replacementFinished(r)).toBe(false);
    r = recordOutcome(r, { type: 'backed-off' }, T0 + MIN);
    expect(replacementFinished(r)).toBe(true);
    expect(advanceReplacement(r, facts(), S, T0 + 2 * MIN).effects).toEqual([]);
    expect(replacementOutcome(r)).toEqual({ result: 'failed', message: failure });
  });

  it('fails after ready_timeout, giving back an old node that is not broken', () => {
    const step = advanceReplacement(at('waiting', {}, { reason: { code: 'spec-changed', message: 'instance type changed' } }), facts({ ...listed, oldHealth: 'healthy' }), S, T0 + 15 * MIN);
    expect(step.next).toMatchObject({ state: 'failed', failure: 'replacement train-3 was not ready within 15m (its agent has not registered); train-1 is kept', release: true });
    expect(step.effects).toEqual([
      { type: 'terminate', target: 'new', instanceId: 'fake-3', provider: 'local' },
      { type: 'uncordon', node: 'train-1', pool: 'train' },
    ]);
  });

  it('fails when no placement takes the replacement', () => {
    const r = recordOutcome({ ...startReplacement(action(), T0), state: 'waiting', cordonedAt: T0 }, { type: 'create-failed', error: 'no placement could take train-3' }, T0 + 1);
    expect(r).toMatchObject({ state: 'failed', failure: 'replacement train-3 could not be created: no placement could take train-3; train-1 is kept' });
    expect(advanceReplacement(r, facts(), S, T0 + 2).effects).toEqual([{ type: 'backoff', message: r.failure }]);
  });

  it('at max_nodes, removes the old node first, then creates the replacement', () => {
    const dbc = { order: 'destroy-before-create' as const };
    const start = advanceReplacement(startReplacement(action(dbc), T0), facts({ drained: undefined }), S, T0);
    expect(start.effects).toEqual([{ type: 'cordon', node: 'train-1', pool: 'train', reason: REASON }]);
    const cordoned = recordOutcome(start.next, { type: 'cordoned' }, T0);
    const drained = advanceReplacement(cordoned, facts(), S, T0 + 1);
    expect(drained.next.state).toBe('terminating');
    expect(drained.effects).toEqual([{ type: 'terminate', target: 'old', instanceId: 'fake-1', provider: 'local' }]);
    const gone = recordOutcome(drained.next, { type: 'terminated', target: 'old' }, T0 + 2);
    const creating = advanceReplacement(gone, facts({ oldListed: false }), S, T0 + 2);
    expect(creating.next.state).toBe('creating');
    expect(creating.effects).toEqual([{ type: 'create' }]);
    const made = recordOutcome(creating.next, { type: 'created', instance: NEW }, T0 + 3);
    expect(advanceReplacement(made, facts({ oldListed: false }), S, T0 + 3).next.state).toBe('done');
    // Killed between the terminate and recording it: the old node is found gone, and not terminated again.
    const replayed = advanceReplacement(drained.next, facts({ oldListed: false }), S, T0 + 5);
    expect(replayed.next).toMatchObject({ state: 'creating', terminatedAt: T0 + 5 });
    expect(replayed.effects).toEqual([{ type: 'create' }]);
  });

  it('removes a node (a destroy): cordon, drain, terminate', () => {
    const destroy = action({ id: 'destroy:train-2', kind: 'destroy', node: 'train-2', order: undefined, reason: { code: 'above-target', message: 'pool "train" has 3 nodes, target is 2' } });
    const start = advanceReplacement(startReplacement(destroy, T0), facts({ drained: undefined }), S, T0);
    expect(start.effects).toEqual([{ type: 'cordon', node: 'train-1', pool: 'train', reason: 'pool "train" has 3 nodes, target is 2' }]);
    const next = advanceReplacement(recordOutcome(start.next, { type: 'cordoned' }, T0), facts(), S, T0 + 1);
    expect(next.effects.map((e) => e.type)).toEqual(['terminate']);
    const done = advanceReplacement(recordOutcome(next.next, { type: 'terminated', target: 'old' }, T0 + 2), facts({ oldListed: false }), S, T0 + 2);
    expect(done.next.state).toBe('done');
    expect(done.effects).toEqual([]);
    expect(replacementFinished(done.next)).toBe(true);
  });

  it('finishes without terminating anything when the old node is already gone', () => {
    const step = advanceReplacement(at('waiting'), facts({ ...listed, ...healthy, oldListed: false, drained: false }), S, T0 + MIN);
    expect(step.next).toMatchObject({ state: 'done', terminatedAt: T0 + MIN });
    expect(step.effects).toEqual([{ type: 'clear-backoff' }]);
  });
});
