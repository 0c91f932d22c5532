import { describe, expect, it } from 'vitest';
import type { DesiredFleet } from '../model/index.js';
import { loadDesired, validateRepo } from './load.js';
import { memorySource } from './memory-source.js';

const NAVARCH = 'providers:\n  local:\n    type: fake\n';
const POOL = 'provider: local\ngpu: h100\n';
const load = (files: Record<string, string>): Promise<DesiredFleet> => loadDesired(memorySource(files, '/repos/demo'));

async function diagnose(files: Record<string, string>): Promise<string[]> {
  const { diagnostics } = await validateRepo(memorySource(files, '/repos/demo'));
  return diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.path} ${d.message}`);
}

describe('pool health settings for the control plane', () => {
  it('reads each field from the pool, else defaults.health, and leaves the rest unset', async () => {
    const navarch = `${NAVARCH}defaults:\n  health:\n    heartbeat_timeout: 2m\n    disruption_budget: 25%\n    thermal: { degraded_at: 80 }\n`;
    const pool = `${POOL}health:\n  disruption_budget: 2\n  breaker_percent: 30\n  registration_timeout: 0\n  resets_before_replace: 3\n  thermal: { unhealthy_at: 90 }\n`;
    const d = await load({ 'navarch.yaml': navarch, 'pools/train.yaml': pool, 'pools/serve.yaml': POOL });
    expect(d.pools.find((p) => p.name === 'train')?.health).toEqual({
      unhealthyAfter: 2,
      autoReplace: true,
      heartbeatTimeoutMs: 120_000,
      registrationTimeoutMs: 0,
      disruptionBudget: { count: 2 },
      breakerPercent: 30,
      thermalDegradedC: 80,
      thermalUnhealthyC: 90,
      resetsBeforeReplace: 3,
    });
    expect(d.pools.find((p) => p.name === 'serve')?.health).toEqual({
      unhealthyAfter: 2,
      autoReplace: true,
      heartbeatTimeoutMs: 120_000,
      disruptionBudget: { percent: 25 },
      thermalDegradedC: 80,
    });
  });

  it('explains a bad budget or breaker share', async () => {
    expect(await diagnose({ 'navarch.yaml': NAVARCH, 'pools/train.yaml': `${POOL}health:\n  disruption_budget: half\n  breaker_percent: 0\n` })).toEqual([
      'pools/train.yaml:4:22 /pools/train/health/disruption_budget expected a node count or percentage (e.g. `1`, `10%`), got `half`',
      'pools/train.yaml:5:20 /pools/train/health/breaker_percent expected a number > 0, got `0`',
    ]);
  });
});

describe('control_plane', () => {
  it('is carried to the control plane as written, outside the desired digest', async () => {
    const a = await load({ 'navarch.yaml': `${NAVARCH}control_plane:\n  interval: 30s\n  notifier: { type: noop }\n`, 'pools/train.yaml': POOL });
    const b = await load({ 'navarch.yaml': `${NAVARCH}control_plane:\n  interval: 5m\n`, 'pools/train.yaml': POOL });
    expect(a.controlPlane).toEqual({ interval: '30s', notifier: { type: 'noop' } });
    expect(a.digest).toBe(b.digest);
  });

  it('is checked like every other setting', async () => {
    const text = `${NAVARCH}control_plane:\n  intervall: 1m\n  listen: nowhere\n  notifier:\n    type: webhook\n`;
    expect(await diagnose({ 'navarch.yaml': text })).toEqual([
      'navarch.yaml:5:3 /control_plane/intervall unknown key `intervall`; did you mean `interval`?',
      'navarch.yaml:6:11 /control_plane/listen expected a HOST:PORT (e.g. `0.0.0.0:7600`, `127.0.0.1:7600`), got `nowhere`',
      'navarch.yaml:7:3 /control_plane/notifier/url missing required key `url`',
    ]);
  });

  it('bounds the store size it is given', async () => {
    expect((await load({ 'navarch.yaml': `${NAVARCH}control_plane:\n  store_max_bytes: 4294967296\n`, 'pools/train.yaml': POOL })).controlPlane).toEqual({ store_max_bytes: 4294967296 });
    expect(await diagnose({ 'navarch.yaml': `${NAVARCH}control_plane:\n  store_max_bytes: 1000\n` })).toEqual(['navarch.yaml:5:20 /control_plane/store_max_bytes expected an integer >= 1048576, got `1000`']);
  });
});
