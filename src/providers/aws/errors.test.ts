import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/index.js';
import { EC2_ERROR_TABLE } from '../../../test/clouds/aws/error-table.js';
import { classifyCode, errorCode, isAbort, toProviderError } from './errors.js';


describe('classifyCode', () => {
  it.each(EC2_ERROR_TABLE)('%s (HTTP %i) is %s', (code, status, errorClass) => {
    expect(classifyCode(code, status)).toBe(errorClass);
  });

  it('classifies by HTTP status what it does not know by code', () => {
    expect(classifyCode('Whatever', 429)).toBe('throttled');
    expect(classifyCode('Whatever', 403)).toBe('auth');
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError'])('treats %s (no HTTP answer) as transient', (code) => {
    expect(classifyCode(code, undefined)).toBe('transient');
  });
});

describe('toProviderError', () => {
  it('keeps the EC2 code, the place, and the class', () => {
    const sdkError = Object.assign(new Error('We currently do not have sufficient p5.48xlarge capacity'), {
      name: 'InsufficientInstanceCapacity',
      $metadata: { httpStatusCode: 500 },
    });
    const e = toProviderError(sdkError, 'prod', 'RunInstances', 'us-east-1a');
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ errorClass: 'capacity', provider: 'prod', providerCode: 'InsufficientInstanceCapacity', location: 'us-east-1a' });
    expect(e.tryElsewhere).toBe(true);
    expect(e.message).toBe('RunInstances in us-east-1a failed: InsufficientInstanceCapacity: We currently do not have sufficient p5.48xlarge capacity');
    expect(e.cause).toBe(sdkError);
  });

  it('names socket errors by their errno', () => {
    const socket = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(errorCode(socket)).toBe('ECONNRESET');
    expect(toProviderError(socket, 'p', 'DescribeInstances', 'us-east-1')).toMatchObject({ errorClass: 'transient', retryable: true });
  });

  it('honours a Retry-After header', () => {
    const e = Object.assign(new Error('slow down'), {
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
      $response: { headers: { 'retry-after': '3' } },
    });
    expect(toProviderError(e, 'p', 'RunInstances', undefined).retryAfterMs).toBe(3000);
  });

  it('passes a ProviderError through', () => {
    const pe = new ProviderError('invalid', 'p', 'no AMI');
    expect(toProviderError(pe, 'p', 'RunInstances', 'us-east-1')).toBe(pe);
  });

  it('classifies missing credentials as auth', () => {
    const e = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(toProviderError(e, 'p', 'DescribeInstances', 'us-east-1').errorClass).toBe('auth');
  });
});

describe('isAbort', () => {
  it('recognises an aborted call', () => {
    const controller = new AbortController();
    controller.abort();
    expect(isAbort(new Error('x'), controller.signal)).toBe(true);
    expect(isAbort(Object.assign(new Error('aborted'), { name: 'AbortError' }), undefined)).toBe(true);
    expect(isAbort(new Error('x'), undefined)).toBe(false);
  });
});
