import { describe, expect, it } from 'vitest';
import { statusChanged } from './status-change.js';

const status = (over: Record<string, string> = {}): string =>
  [
    'version: 1',
    'fleet: f',
    `updated_at: ${over['updated'] ?? '2026-01-01T00:00:00.000Z'}`,
    'nodes:',
    `  - { name: train-1, state: ${over['state'] ?? 'running'} }`,
    'history:',
    `  - { time: ${over['time'] ?? '2026-01-01T00:00:00.000Z'}, result: ${over['result'] ?? 'no-changes'}, desired_commit: ${over['commit'] ?? 'abc'} }`,
    '  - { time: 2025-12-31T00:00:00.000Z, result: applied, desired_commit: abc }',
    '',
  ].join('\n');

describe('statusChanged', () => {
  it('ignores a new updated_at and the re-dated no-change history entry', () => {
    expect(statusChanged(status(), status({ updated: '2026-01-02T00:00:00.000Z', time: '2026-01-02T00:00:00.000Z' }))).toBe(false);
  });
  it('counts anything else', () => {
    expect(statusChanged(status(), status({ state: 'failed' }))).toBe(true);
    expect(statusChanged(status(), status({ commit: 'def' }))).toBe(true);
    // An applied entry's time is part of the record.
    expect(statusChanged(status({ result: 'applied' }), status({ result: 'applied', time: '2026-01-02T00:00:00.000Z' }))).toBe(true);
  });
  it('treats a missing or unreadable previous status as a change', () => {
    expect(statusChanged(undefined, status())).toBe(true);
    expect(statusChanged('a: [', status())).toBe(true);
    expect(statusChanged(status(), status())).toBe(false);
  });
});
