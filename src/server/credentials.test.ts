import { describe, expect, it } from 'vitest';
import { metricsToken, serverCredentials } from './credentials.js';

const BASE = { NAVARCH_AUTH_TOKEN: 'admin-token-0123456789', NAVARCH_NODE_SECRET: 'node-secret-0123456789' };

describe('the control plane credentials', () => {
  it('takes an optional read-only token, which must be long and not the admin token', () => {
    expect(serverCredentials(BASE, { insecureDev: false }).readToken).toBeUndefined();
    expect(serverCredentials({ ...BASE, NAVARCH_READ_TOKEN: 'read-token-0123456789' }, { insecureDev: false }).readToken).toBe('read-token-0123456789');
    expect(() => serverCredentials({ ...BASE, NAVARCH_READ_TOKEN: 'short' }, { insecureDev: false })).toThrow('NAVARCH_READ_TOKEN is 5 characters long; use at least 16');
    expect(() => serverCredentials({ ...BASE, NAVARCH_READ_TOKEN: BASE.NAVARCH_AUTH_TOKEN }, { insecureDev: false })).toThrow(
      'NAVARCH_READ_TOKEN is the same as NAVARCH_AUTH_TOKEN; give the read-only token its own value',
    );
  });

  it('reads the metrics token from the variable navarch.yaml names, else NAVARCH_METRICS_TOKEN', () => {
    expect(metricsToken({}, undefined)).toBeUndefined();
    expect(metricsToken({ NAVARCH_METRICS_TOKEN: 'scrape-token-0123456789' }, undefined)).toBe('scrape-token-0123456789');
    expect(metricsToken({ NAVARCH_METRICS_TOKEN: 'ignored-token-0123456789', PROM_TOKEN: 'prom-token-0123456789' }, 'PROM_TOKEN')).toBe('prom-token-0123456789');
    expect(() => metricsToken({}, 'PROM_TOKEN')).toThrow('control_plane.metrics_token_env names PROM_TOKEN, which is not set');
    expect(() => metricsToken({ PROM_TOKEN: 'short' }, 'PROM_TOKEN')).toThrow('PROM_TOKEN is 5 characters long');
  });
});
