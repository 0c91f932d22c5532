import { describe, expect, it } from 'vitest';
import { digestOf, stableStringify } from './hash.js';
import { formatAge, formatDuration, parseDuration } from './duration.js';
import { clearSecrets, redact, redactValue, registerSecret, REDACTED } from './redact.js';
import { ConfigError, NavarchError, ProviderError } from './errors.js';
import { ManualClock } from './clock.js';

describe('stableStringify / digestOf', () => {
  it('ignores key order and undefined members', () => {
    expect(stableStringify({ b: 1, a: { d: [2, 1], c: undefined } })).toBe('{"a":{"d":[2,1]},"b":1}');
    expect(digestOf({ x: 1, y: 2 })).toBe(digestOf({ y: 2, x: 1 }));
    expect(digestOf({ x: 1 })).not.toBe(digestOf({ x: 2 }));
    expect(digestOf([])).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['60', 60_000],
    [30, 30_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', 'ten minutes', '5x', '-1s', 'm5'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
  it('formats compactly', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(0)).toBe('0ms');
  });
});

describe('formatAge', () => {
  it.each([
    [-5_000, '0s'],
    [999, '0s'],
    [14_000, '14s'],
    [60_000, '1m'],
    [303_000, '5m3s'],
    [3 * 3_600_000 + 12 * 60_000 + 59_000, '3h12m'],
    [2 * 86_400_000 + 4 * 3_600_000, '2d4h'],
    [45 * 86_400_000 + 5 * 3_600_000, '45d'],
  ])('%s ms reads %s', (ms, text) => expect(formatAge(ms)).toBe(text));
});

describe('redact', () => {
  it('scrubs registered secrets and credential-looking tokens', () => {
    clearSecrets();
    registerSecret('hunter2-very-secret');
    expect(redact('token=hunter2-very-secret!')).toBe(`token=${REDACTED}!`);
    expect(redact('Authorization: Bearer abcdefgh12345')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redact('ghp_0123456789abcdefghijABCDEFGHIJ')).toBe(REDACTED);
    expect(redact('https://user:pa55word@example.com/repo.git')).toBe(`https://user:${REDACTED}@example.com/repo.git`);
    expect(redact('key AKIAABCDEFGHIJKLMNOP')).toBe(`key ${REDACTED}`);
    expect(redact('nothing to hide')).toBe('nothing to hide');
    clearSecrets();
  });
  it('blanks secret-named keys in objects', () => {
    expect(redactValue({ api_key: 'x', nested: { token: 'y', name: 'ok' } })).toEqual({
      api_key: REDACTED,
      nested: { token: REDACTED, name: 'ok' },
    });
  });
  it('is applied to error messages', () => {
    clearSecrets();
    registerSecret('s3cr3t-value-123');
    const e = new NavarchError('x', 'failed with s3cr3t-value-123');
    expect(e.message).not.toContain('s3cr3t');
    expect(JSON.stringify(e)).not.toContain('s3cr3t');
    clearSecrets();
  });
});

describe('errors', () => {
  it('classifies provider errors', () => {
    const cap = new ProviderError('capacity', 'aws', 'no capacity', { providerCode: 'InsufficientInstanceCapacity' });
    expect(cap.tryElsewhere).toBe(true);
    expect(cap.retryable).toBe(false);
    expect(cap.code).toBe('provider.capacity');
    expect(new ProviderError('throttled', 'aws', 'slow down').retryable).toBe(true);
  });
  it('config errors carry every diagnostic', () => {
    const e = new ConfigError([
      { file: 'a.yaml', line: 2, column: 3, path: '/x', message: 'bad' },
      { file: 'b.yaml', line: 1, column: 1, path: '', message: 'worse' },
    ]);
    expect(e.message).toBe('a.yaml:2:3: bad (at /x) (and 1 more)');
    expect(e.toJSON()['diagnostics']).toHaveLength(2);
  });
});

describe('ManualClock', () => {
  it('resolves sleeps when advanced past their deadline', async () => {
    const clock = new ManualClock(0);
    let done = false;
    const p = clock.sleep(1000).then(() => (done = true));
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await p;
    expect(done).toBe(true);
  });
});

describe('shared checks', () => {
  it('isRecord accepts plain objects only', async () => {
    const { isRecord } = await import('./values.js');
    expect([{}, { a: 1 }].map(isRecord)).toEqual([true, true]);
    expect([null, [], 'x', 1, undefined].map(isRecord)).toEqual([false, false, false, false, false]);
  });
  it('matchesTags needs every filter tag with the same value', async () => {
    const { matchesTags } = await import('./instance.js');
    expect(matchesTags({ a: '1', b: '2' }, { a: '1' })).toBe(true);
    expect(matchesTags({ a: '1' }, { a: '1', b: '2' })).toBe(false);
    expect(matchesTags({ a: '1' }, { a: '2' })).toBe(false);
    expect(matchesTags({}, {})).toBe(true);
  });
  it('ownerAlive tells a live, a dead and an uncheckable holder apart', async () => {
    const { ownerAlive, thisProcess } = await import('./process-owner.js');
    expect(ownerAlive(thisProcess())).toBe(true);
    expect(ownerAlive({ pid: 2 ** 22 + 12345, host: thisProcess().host })).toBe(false); // above Linux's pid_max
    expect(ownerAlive({ pid: process.pid, host: 'some-other-host' })).toBeUndefined();
    expect(ownerAlive({ host: thisProcess().host })).toBeUndefined();
  });
});
