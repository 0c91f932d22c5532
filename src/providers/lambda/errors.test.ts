import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/index.js';
import { classify, lambdaError, parseRetryAfter } from './errors.js';

describe('lambda error classes', () => {
  it.each([
    // Codes of the Lambda Cloud API reference, with the status each comes with.
    [400, 'instance-operations/launch/insufficient-capacity', 'capacity'],
    [400, 'global/quota-exceeded', 'quota'],
    [401, 'global/invalid-api-key', 'auth'],
    [403, 'global/account-inactive', 'auth'],
    [403, 'global/invalid-address', 'auth'],
    [400, 'global/invalid-parameters', 'invalid'],
    [400, 'instance-operations/launch/file-system-in-wrong-region', 'invalid'],
    [400, 'instance-operations/launch/file-systems-not-supported', 'invalid'],
    [404, 'global/object-does-not-exist', 'not-found'],
    [500, 'global/unknown', 'transient'],
    [503, 'provider/internal-unavailable', 'transient'],
    // Codes the reference does not list yet, read by their wording.
    [400, 'instance-operations/launch/insufficient-capacity-in-region', 'capacity'],
    [400, 'provider/quota-exceeded', 'quota'],
    [400, 'global/instance-limit-reached', 'quota'],
    [400, 'ssh-keys/key-in-use', 'invalid'],
  ] as const)('HTTP %i %s is %s', (status, code, expected) => {
    expect(classify(status, code)).toBe(expected);
  });

  it.each([
    [429, 'throttled'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [408, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [400, 'invalid'],
    [422, 'invalid'],
  ] as const)('HTTP %i without a code is %s', (status, expected) => {
    expect(classify(status, undefined)).toBe(expected);
  });

  it('builds a ProviderError naming the call, the code, the message, the suggestion and the region', () => {
    const err = lambdaError({
      provider: 'lam',
      call: 'POST /instance-operations/launch',
      status: 400,
      error: { code: 'instance-operations/launch/insufficient-capacity', message: 'Not enough capacity to fulfill launch request.', suggestion: 'Try another region.' },
      retryAfterMs: undefined,
      region: 'us-east-1',
    });
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.errorClass).toBe('capacity');
    expect(err.tryElsewhere).toBe(true);
    expect(err.location).toBe('us-east-1');
    expect(err.providerCode).toBe('instance-operations/launch/insufficient-capacity');
    expect(err.message).toBe(
      'lambda POST /instance-operations/launch in us-east-1 failed: instance-operations/launch/insufficient-capacity: Not enough capacity to fulfill launch request. (Try another region.)',
    );
  });

  it('reports a bare status when the body has no error document', () => {
    const err = lambdaError({ provider: 'lam', call: 'GET /instances', status: 429, error: undefined, retryAfterMs: 2000, region: undefined });
    expect(err.errorClass).toBe('throttled');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(2000);
    expect(err.providerCode).toBe('HTTP 429');
    expect(err.message).toBe('lambda GET /instances failed: HTTP 429');
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates against the injected clock', () => {
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    for (const v of [undefined, null, '', 'soon', '-3']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});
