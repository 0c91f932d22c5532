import { describe, expect, it } from 'vitest';
import { parseControlPlane, parseListen } from './settings.js';

describe('settings', () => {
  it('fills defaults and reads durations', () => {
    const s = parseControlPlane({ interval: '30s', notifier: { type: 'webhook', url: 'https://x', drain_timeout: '2m' } });
    expect(s).toMatchObject({ intervalMs: 30_000, store: '.navarch/control-plane.db', heartbeatIntervalMs: 30_000, listen: { host: '0.0.0.0', port: 7600 }, notifier: { type: 'webhook', drainTimeoutMs: 120_000 } });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseListen('localhost')).toThrow('expected HOST:PORT');
    expect(() => parseListen('a:70000')).toThrow('expected HOST:PORT');
  });
});
