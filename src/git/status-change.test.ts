/** Built from real status files, so a change in how statuses are written cannot silently turn every pass into a commit. */
import { describe, expect, it } from 'vitest';
import type { FleetStatus } from '../model/index.js';
import { desired, node, observed, pool } from '../plan/testing.js';
import { serializeStatus, StatusBook } from '../status/index.js';
import { statusChanged } from './status-change.js';

const d = desired([pool('train', { minNodes: 2, targetNodes: 2 })]);
const at = (day: string) => () => `2026-01-${day}T00:00:00.000Z`;
const pass = (prev: FleetStatus | undefined, day: string, nodes = [node('train', 1), node('train', 2)], result: 'applied' | 'no-changes' = 'no-changes'): FleetStatus =>
  new StatusBook(d, observed(nodes), prev, at(day)).snapshot({ summary: '0 to add, 0 to change, 0 to destroy', result, actions: result === 'applied' ? 2 : 0 });

describe('statusChanged', () => {
  it('ignores a new updated_at and the re-dated no-change history entry', () => {
    const applied = pass(undefined, '01', undefined, 'applied');
    const first = pass(applied, '02');
    const second = pass(first, '03');
    expect(serializeStatus(second)).not.toBe(serializeStatus(first));
    expect(statusChanged(serializeStatus(first), serializeStatus(second))).toBe(false);
  });

  it("ignores a node's new last_seen, but not a change in what its agent says", () => {
    const applied = pass(undefined, '01', undefined, 'applied');
    const first = pass(applied, '02');
    const heard = (s: FleetStatus, lastSeen: string, healthy = 8): FleetStatus => ({
      ...s,
      nodes: s.nodes.map((n) => ({ ...n, agent_version: '0.1.0', last_seen: lastSeen, gpu_health: { gpus: 8, healthy } })),
    });
    const before = serializeStatus(heard(first, '2026-01-02T00:00:00.000Z'));
    expect(before).toMatch(/^ {4}last_seen: /m);
    expect(statusChanged(before, serializeStatus(heard(pass(first, '03'), '2026-01-03T00:00:00.000Z')))).toBe(false);
    expect(statusChanged(before, serializeStatus(heard(pass(first, '03'), '2026-01-03T00:00:00.000Z', 7)))).toBe(true);
  });

  it('counts the first no-change pass after an apply, and any change in the fleet', () => {
    const applied = pass(undefined, '01', undefined, 'applied');
    const first = pass(applied, '02');
    expect(statusChanged(serializeStatus(applied), serializeStatus(first))).toBe(true);
    const failed = pass(first, '03', [node('train', 1), node('train', 2, { state: 'failed' })]);
    expect(statusChanged(serializeStatus(first), serializeStatus(failed))).toBe(true);
    const gone = pass(first, '03', [node('train', 1)]);
    expect(statusChanged(serializeStatus(first), serializeStatus(gone))).toBe(true);
    const moved = pass({ ...first, desired: { ...first.desired, commit: 'abc' } }, '03');
    expect(statusChanged(serializeStatus(first), serializeStatus({ ...moved, desired: { commit: 'def', digest: moved.desired.digest } }))).toBe(true);
  });

  it('treats a missing or differently written previous status as a change', () => {
    const s = serializeStatus(pass(undefined, '01'));
    expect(statusChanged(undefined, s)).toBe(true);
    expect(statusChanged(`${s}\n# edited by hand\n`, s)).toBe(true);
    expect(statusChanged(s, s)).toBe(false);
  });
});
