/**
 * The classifier over the shapes errors arrive in: the HTTP client's error (status plus the error
 * document as text), the client library's decoded error (gRPC code, ErrorInfo reason), network
 * failures, and credential problems. End-to-end cases against the loopback API are in test/clouds/gcp.
 */
import { describe, expect, it } from 'vitest';
import { classifyError, operationError } from './errors.js';

const ctx = { provider: 'gcp-east', action: 'creating instance x in us-east1-b', location: 'us-east1-b' };

/** What the HTTP client throws for a non-2xx answer: the status, and the body as the message. */
function httpError(status: number, doc: unknown, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(JSON.stringify(doc)), { status, response: { status, headers: new Headers(headers) } });
}

function doc(code: number, reason: string, message: string, status?: string): unknown {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], ...(status ? { status } : {}) } };
}

describe('HTTP errors', () => {
  it.each([
    [429, 'rateLimitExceeded', 'throttled'],
    [403, 'rateLimitExceeded', 'throttled'],
    [403, 'userRateLimitExceeded', 'throttled'],
    [403, 'quotaExceeded', 'quota'],
    [403, 'forbidden', 'auth'],
    [403, 'accessNotConfigured', 'auth'],
    [401, 'authError', 'auth'],
    [400, 'invalid', 'invalid'],
    [400, 'resourceNotReady', 'transient'],
    [404, 'notFound', 'not-found'],
    [409, 'alreadyExists', 'invalid'],
    [412, 'conditionNotMet', 'transient'],
    [500, 'backendError', 'transient'],
    [503, 'backendError', 'transient'],
    [503, 'insufficientCapacity', 'capacity'],
  ] as const)('%i %s → %s', (status, reason, errorClass) => {
    const err = classifyError(httpError(status, doc(status, reason, 'something')), ctx);
    expect(err.errorClass).toBe(errorClass);
    expect(err.providerCode).toBe(reason);
    expect(err.provider).toBe('gcp-east');
  });

  it('reads Retry-After as seconds', () => {
    const err = classifyError(httpError(429, doc(429, 'rateLimitExceeded', 'slow down'), { 'retry-after': '12' }), ctx);
    expect(err.retryAfterMs).toBe(12_000);
  });

  it('falls back to the HTTP status when no reason is given, and survives a non-JSON body', () => {
    const bare = classifyError(httpError(429, { error: { code: 429, message: 'Too Many Requests', status: 'RESOURCE_EXHAUSTED' } }), ctx);
    expect(bare).toMatchObject({ errorClass: 'throttled', providerCode: 'RESOURCE_EXHAUSTED' });
    const html = Object.assign(new Error('<html><body>502 Bad Gateway</body></html>\nmore'), { status: 502, response: { status: 502 } });
    expect(classifyError(html, ctx)).toMatchObject({ errorClass: 'transient', providerCode: 'HTTP_502' });
  });

  it('takes an OAuth endpoint refusal as an auth failure', () => {
    const err = classifyError(httpError(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }), ctx);
    expect(err).toMatchObject({ errorClass: 'auth', providerCode: 'invalid_grant' });
  });

  it('names a regional quota and a project-wide one apart', () => {
    const regional = classifyError(httpError(403, doc(403, 'quotaExceeded', "Quota 'NVIDIA_H100_GPUS' exceeded.  Limit: 8.0 in region us-east1.")), ctx);
    expect(regional.location).toBe('us-east1');
    expect(regional.message).toMatch(/regional quota of us-east1/);
    const global = classifyError(httpError(403, doc(403, 'quotaExceeded', "Quota 'GPUS_ALL_REGIONS' exceeded.  Limit: 8.0 globally.")), ctx);
    expect(global.location).toBe('global');
    expect(global.message).toMatch(/project-wide/);
  });
});

describe('errors the client library decoded', () => {
  it('maps gRPC codes, letting an ErrorInfo reason decide first', () => {
    expect(classifyError(Object.assign(new Error('denied'), { code: 7 }), ctx).errorClass).toBe('auth');
    expect(classifyError(Object.assign(new Error('busy'), { code: 14 }), ctx).errorClass).toBe('transient');
    expect(classifyError(Object.assign(new Error('bad'), { code: 3 }), ctx).errorClass).toBe('invalid');
    expect(classifyError(Object.assign(new Error('slow'), { code: 7, reason: 'RATE_LIMIT_EXCEEDED' }), ctx).errorClass).toBe('throttled');
  });
});

describe('failures before any HTTP answer', () => {
  it('a connection failure is transient', () => {
    const refused = Object.assign(new Error('request to http://127.0.0.1:9 failed'), { code: 'ECONNREFUSED' });
    expect(classifyError(refused, ctx)).toMatchObject({ errorClass: 'transient', providerCode: 'ECONNREFUSED', location: 'us-east1-b' });
    const nested = Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } });
    expect(classifyError(nested, ctx)).toMatchObject({ errorClass: 'transient', providerCode: 'UND_ERR_SOCKET' });
  });

  it('missing or broken credentials are an auth failure', () => {
    expect(classifyError(new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication'), ctx).errorClass).toBe('auth');
    expect(classifyError(new Error('error:1E08010C:DECODER routines::unsupported'), ctx).errorClass).toBe('auth');
  });
});

describe('operation errors', () => {
  it('classifies by the first error code, then by the HTTP status the operation reports', () => {
    const op = (code: string, httpErrorStatusCode = 400) => ({ error: { errors: [{ code, message: `${code} happened` }] }, httpErrorStatusCode });
    expect(operationError(op('ZONE_RESOURCE_POOL_EXHAUSTED', 503), ctx)).toMatchObject({ errorClass: 'capacity', location: 'us-east1-b' });
    expect(operationError(op('ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS', 503), ctx).errorClass).toBe('capacity');
    expect(operationError(op('QUOTA_EXCEEDED', 403), ctx).errorClass).toBe('quota');
    expect(operationError(op('RESOURCE_NOT_FOUND', 404), ctx).errorClass).toBe('not-found');
    expect(operationError(op('INVALID_FIELD_VALUE', 400), ctx).errorClass).toBe('invalid');
    expect(operationError(op('PERMISSIONS_ERROR', 403), ctx).errorClass).toBe('auth');
    expect(operationError(op('SOMETHING_NEW', 503), ctx).errorClass).toBe('transient');
  });

  it('reads the quota and its scope from quotaInfo when the message does not name them', () => {
    const err = operationError(
      {
        error: {
          errors: [
            {
              code: 'QUOTA_EXCEEDED',
              message: 'Quota exceeded.',
              errorDetails: [{ quotaInfo: { metricName: 'compute.googleapis.com/nvidia_a100_gpus', limitName: 'NVIDIA-A100-GPUS-per-project-region', dimensions: { region: 'us-central1' } } }],
            },
          ],
        },
        httpErrorStatusCode: 403,
      },
      ctx,
    );
    expect(err).toMatchObject({ errorClass: 'quota', providerCode: 'QUOTA_EXCEEDED', location: 'us-central1' });
  });
});
