import { describe, expect, it } from 'vitest';
import type { ApplyResult } from '../apply/index.js';
import type { Action, FleetStatus } from '../model/index.js';
import { desired, pool } from '../plan/testing.js';
import { plan } from '../plan/index.js';
import { statusCommitMessage } from './status-message.js';

const d = { ...desired([pool('train'), pool('serve')]), commit: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b' };
const empty = plan(d, { nodes: [], pools: {}, gaps: [] }, { now: 0 });
const action = (kind: Action['kind'], pool: string, node: string): Action =>
  ({ id: `${kind}:${node}`, kind, pool, node, reason: { code: 'below-target', message: '' }, placements: [], existing: undefined, order: undefined, labels: undefined, costDelta: 0 }) as Action;
const result = (...rs: Array<[Action, 'ok' | 'failed' | 'skipped', string?]>): ApplyResult => ({
  ok: rs.every(([, r]) => r === 'ok'),
  status: {} as FleetStatus,
  results: rs.map(([a, r, m]) => ({ action: a, result: r, message: m ?? '' })),
  unknown: [],
  stoppedBy: undefined,
});

describe('statusCommitMessage', () => {
  it('says what changed, where, at which desired commit, and skips CI', () => {
    const msg = statusCommitMessage(d, empty, result([action('create', 'train', 'train-3'), 'ok'], [action('create', 'train', 'train-4'), 'ok'], [action('destroy', 'train', 'train-1'), 'ok']));
    expect(msg.split('\n')[0]).toBe('navarch: 2 added, 1 destroyed in pool train (desired 1a2b3c4) [skip ci]');
    expect(msg).toContain('- create:train-3: ok');
  });
  it('names several pools and failures with their reason', () => {
    const msg = statusCommitMessage(d, empty, result([action('replace', 'serve', 'serve-2'), 'ok'], [action('create', 'train', 'train-5'), 'failed', 'InsufficientCapacity']));
    expect(msg.split('\n')[0]).toBe('navarch: 1 replaced, 1 failed in pools serve, train (desired 1a2b3c4) [skip ci]');
    expect(msg).toContain('- create:train-5: failed (InsufficientCapacity)');
  });
  it('says "status refreshed" when no action ran, and leaves out an unknown commit', () => {
    expect(statusCommitMessage({ ...d, commit: undefined }, empty, result())).toBe('navarch: status refreshed [skip ci]\n');
  });
});
