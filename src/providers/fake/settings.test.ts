import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NavarchError } from '../../model/index.js';
import { capacityLimit, parseFakeSettings } from './settings.js';
import { emptyState, prune, type StoredInstance } from './state.js';

describe('parseFakeSettings', () => {
  it('fills defaults', () => {
    expect(parseFakeSettings('/repo', {})).toEqual({
      stateFile: path.resolve('/repo/.navarch/fake-cloud.json'),
      latencyMs: 0,
      capacity: {},
      failures: [],
      pageSize: 50,
    });
  });

  it('reads every setting as written in navarch.yaml', () => {
    const s = parseFakeSettings('/repo', {
      state_file: '/elsewhere/cloud.json',
      latency: '1m30s',
      capacity: { 'f1.8xh100': { 'local-1': 2, '*': 10 }, 'f1.1xa10': 3 },
      failures: [{ op: 'provision', error: 'capacity', region: 'local-1', instance_type: 'f1.8xh100', times: 2, message: 'm' }],
      page_size: 7,
    });
    expect(s.stateFile).toBe(path.resolve('/elsewhere/cloud.json'));
    expect(s.latencyMs).toBe(90_000);
    expect(s.capacity).toEqual({ 'f1.8xh100': { 'local-1': 2, '*': 10 }, 'f1.1xa10': { '*': 3 } });
    expect(s.failures).toEqual([{ op: 'provision', error: 'capacity', region: 'local-1', instance_type: 'f1.8xh100', times: 2, message: 'm' }]);
    expect(s.pageSize).toBe(7);
    expect(parseFakeSettings('/repo', { latency: 2 }).latencyMs).toBe(2000);
  });

  it.each([
    [{ latency: 'soon' }, 'latency'],
    [{ state_file: 3 }, 'state_file'],
    [{ capacity: { 'f1.8xh100': { 'local-1': -1 } } }, 'capacity.f1.8xh100.local-1'],
    [{ capacity: ['x'] }, 'capacity'],
    [{ failures: {} }, 'failures'],
    [{ failures: [{ op: 'provision', error: 'not-found' }] }, 'failures[0].error'],
    [{ failures: [{ op: 'provision', error: 'auth', times: 1.5 }] }, 'failures[0].times'],
    [{ page_size: 0 }, 'page_size'],
  ])('rejects %j naming the field', (settings, field) => {
    const err = (() => {
      try {
        parseFakeSettings('/repo', settings);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(NavarchError);
    expect((err as NavarchError).message).toContain(`"${field}"`);
  });
});

describe('capacityLimit', () => {
  const limits = { 'f1.8xh100': { 'local-1': 2, '*': 10 }, 'f1.1xa10': { 'local-2': 1 }, '*': { '*': 4 } };
  it.each([
    ['f1.8xh100', 'local-1', 2],
    ['f1.8xh100', 'local-2', 10],
    ['f1.1xa10', 'local-2', 1],
    ['f1.1xa10', 'local-1', 4],
    ['f1.8xb200', 'local-1', 4],
  ])('%s in %s → %d', (type, region, limit) => expect(capacityLimit(limits, type, region)).toBe(limit));
  it('is unlimited when nothing applies', () => expect(capacityLimit({}, 'f1.8xh100', 'local-1')).toBeUndefined());
});

describe('prune', () => {
  it('keeps the newest terminated instances and every live one', () => {
    const state = emptyState();
    const inst = (n: number, terminated: boolean): StoredInstance => ({
      id: `fake-${String(n).padStart(6, '0')}`,
      provider: 'local',
      region: 'local-1',
      instanceType: 'f1.1xa10',
      spot: false,
      tags: {},
      state: terminated ? 'terminated' : 'running',
      createdAt: '2026-01-01T00:00:00.000Z',
      readyAt: '2026-01-01T00:00:00.000Z',
      ...(terminated ? { terminatedAt: `2026-01-01T00:00:0${9 - n}.000Z` } : {}),
      privateIp: '10.0.0.1',
    });
    state.instances = [inst(1, true), inst(2, false), inst(3, true), inst(4, true)];
    prune(state, 2);
    expect(state.instances.map((i) => i.id)).toEqual(['fake-000001', 'fake-000002', 'fake-000003']);
  });
});
