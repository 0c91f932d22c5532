/**
 * Compute Engine's failures, synchronous and inside operations, as the provider classifies them:
 * the class decides what apply does, `providerCode` and `location` feed its failover note and
 * capacity memory.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderErrorClass } from '../../../src/model/index.js';
import { providerFailure } from '../../helpers/provider-requests.js';
import { writeServiceAccountKey } from './credentials.js';
import { gcpRequest, PROJECT, startGcp, type GcpTestbed } from './harness.js';
import type { Fault } from './wire.js';

let bed: GcpTestbed;
beforeEach(async () => {
  bed = await startGcp();
});
afterEach(async () => {
  await bed.close();
});

const ZONE_MSG = `The zone 'projects/${PROJECT}/zones/us-central1-a' does not have enough resources available to fulfill the request.`;

interface Case {
  name: string;
  fault: Fault;
  errorClass: ProviderErrorClass;
  providerCode: string;
  location: string;
  retryAfterMs?: number;
  says?: RegExp;
}

const PROVISION_CASES: Case[] = [
  {
    name: 'a zone stock-out reported in the operation',
    fault: { kind: 'operation', code: 'ZONE_RESOURCE_POOL_EXHAUSTED', message: `${ZONE_MSG}  Try a different zone, or try again later.`, httpStatus: 503, httpMessage: 'SERVICE UNAVAILABLE' },
    errorClass: 'capacity',
    providerCode: 'ZONE_RESOURCE_POOL_EXHAUSTED',
    location: 'us-central1-a',
  },
  {
    name: 'a zone stock-out with details',
    fault: {
      kind: 'operation',
      code: 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS',
      message: `${ZONE_MSG}  '(resource type:compute)'.`,
      httpStatus: 503,
      httpMessage: 'SERVICE UNAVAILABLE',
      errorDetails: [
        { help: { links: [{ description: 'Troubleshooting documentation', url: 'https://cloud.google.com/compute/docs/resource-error' }] } },
        {
          errorInfo: {
            reason: 'resource_availability',
            domain: 'compute.googleapis.com',
            metadatas: { vmType: 'g2-standard-4', zone: 'us-central1-a', zonesAvailable: 'us-central1-b,us-central1-c', attachment: 'nvidia-l4:1' },
          },
        },
      ],
    },
    errorClass: 'capacity',
    providerCode: 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS',
    location: 'us-central1-a',
  },
  {
    name: 'a regional GPU quota in the operation',
    fault: {
      kind: 'operation',
      code: 'QUOTA_EXCEEDED',
      message: "Quota 'NVIDIA_L4_GPUS' exceeded.  Limit: 4.0 in region us-central1.",
      httpStatus: 403,
      httpMessage: 'FORBIDDEN',
      errorDetails: [{ quotaInfo: { metricName: 'compute.googleapis.com/nvidia_l4_gpus', limitName: 'NVIDIA-L4-GPUS-per-project-region', dimensions: { region: 'us-central1' }, limit: 4 } }],
    },
    errorClass: 'quota',
    providerCode: 'QUOTA_EXCEEDED',
    location: 'us-central1',
    says: /NVIDIA_L4_GPUS.*regional quota of us-central1/,
  },
  {
    name: 'the project-wide GPU quota in the operation',
    fault: { kind: 'operation', code: 'QUOTA_EXCEEDED', message: "Quota 'GPUS_ALL_REGIONS' exceeded.  Limit: 0.0 globally.", httpStatus: 403, httpMessage: 'FORBIDDEN' },
    errorClass: 'quota',
    providerCode: 'QUOTA_EXCEEDED',
    location: 'global',
    says: /GPUS_ALL_REGIONS.*project-wide quota: every region/,
  },
  {
    name: 'a quota refused synchronously',
    fault: { kind: 'http', status: 403, reason: 'quotaExceeded', domain: 'usageLimits', message: "Quota 'GPUS_ALL_REGIONS' exceeded.  Limit: 8.0 globally." },
    errorClass: 'quota',
    providerCode: 'quotaExceeded',
    location: 'global',
    says: /project-wide/,
  },
  {
    name: 'rate limiting as 429 with Retry-After',
    fault: { kind: 'http', status: 429, reason: 'rateLimitExceeded', domain: 'usageLimits', message: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com'", retryAfter: '7' },
    errorClass: 'throttled',
    providerCode: 'rateLimitExceeded',
    location: 'us-central1-a',
    retryAfterMs: 7000,
  },
  {
    name: 'rate limiting as 403, told apart from a refusal by its reason',
    fault: { kind: 'http', status: 403, reason: 'rateLimitExceeded', domain: 'usageLimits', message: 'Rate Limit Exceeded' },
    errorClass: 'throttled',
    providerCode: 'rateLimitExceeded',
    location: 'us-central1-a',
  },
  {
    name: 'rate limiting as 429 with only google.rpc.ErrorInfo',
    fault: {
      kind: 'http',
      status: 429,
      reason: 'RATE_LIMIT_EXCEEDED',
      message: 'Too many requests',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com', metadata: { service: 'compute.googleapis.com' } }],
    },
    errorClass: 'throttled',
    providerCode: 'RATE_LIMIT_EXCEEDED',
    location: 'us-central1-a',
  },
  {
    name: 'an operation-rate limit inside the operation',
    fault: { kind: 'operation', code: 'RESOURCE_OPERATION_RATE_EXCEEDED', message: 'Operation rate exceeded for resource.', httpStatus: 403, httpMessage: 'FORBIDDEN' },
    errorClass: 'throttled',
    providerCode: 'RESOURCE_OPERATION_RATE_EXCEEDED',
    location: 'us-central1-a',
  },
  {
    name: 'a missing permission',
    fault: { kind: 'http', status: 403, reason: 'forbidden', message: `Required 'compute.instances.create' permission for 'projects/${PROJECT}/zones/us-central1-a/instances/x'` },
    errorClass: 'auth',
    providerCode: 'forbidden',
    location: 'us-central1-a',
  },
  {
    name: 'a request the API finds invalid',
    fault: { kind: 'http', status: 400, reason: 'invalid', message: "Invalid value for field 'resource.machineType': 'zones/us-central1-a/machineTypes/g2-standard-5'. Machine type does not exist." },
    errorClass: 'invalid',
    providerCode: 'invalid',
    location: 'us-central1-a',
  },
  {
    name: 'a stock-out answered synchronously',
    fault: { kind: 'http', status: 503, reason: 'insufficientCapacity', message: ZONE_MSG },
    errorClass: 'capacity',
    providerCode: 'insufficientCapacity',
    location: 'us-central1-a',
  },
  {
    name: 'a server error',
    fault: { kind: 'http', status: 500, reason: 'backendError', message: 'Internal error. Please try again or contact Google Support.' },
    errorClass: 'transient',
    providerCode: 'backendError',
    location: 'us-central1-a',
  },
  {
    name: 'an unknown operation error with a 5xx status',
    fault: { kind: 'operation', code: 'INTERNAL_ERROR', message: 'Internal error.', httpStatus: 500, httpMessage: 'INTERNAL SERVER ERROR' },
    errorClass: 'transient',
    providerCode: 'INTERNAL_ERROR',
    location: 'us-central1-a',
  },
];

describe('provision failures', () => {
  it.each(PROVISION_CASES)('$name → $errorClass', async (c) => {
    bed.server.fail('insert', c.fault);
    const err = await providerFailure(bed.provider.provision(gcpRequest()));
    expect(err.errorClass).toBe(c.errorClass);
    expect(err.providerCode).toBe(c.providerCode);
    expect(err.location).toBe(c.location);
    expect(err.provider).toBe('gcp-test');
    if (c.retryAfterMs !== undefined) expect(err.retryAfterMs).toBe(c.retryAfterMs);
    if (c.says) expect(err.message).toMatch(c.says);
    expect(bed.server.state.instances.size).toBe(0);
  });

  it('a key the API does not accept is an auth failure', async () => {
    const strangerDir = path.join(bed.dir, 'stranger');
    await mkdir(strangerDir);
    const stranger = await writeServiceAccountKey(strangerDir, PROJECT, 'http://127.0.0.1:9/token');
    const provider = await bed.makeProvider({ env: { GOOGLE_APPLICATION_CREDENTIALS: stranger.file } });
    const err = await providerFailure(provider.list({ tags: {} }));
    expect(err).toMatchObject({ errorClass: 'auth', providerCode: 'authError' });
  });

  it('a credentials file that does not exist is an auth failure', async () => {
    const provider = await bed.makeProvider({ env: { GOOGLE_APPLICATION_CREDENTIALS: path.join(bed.dir, 'missing.json') } });
    const err = await providerFailure(provider.provision(gcpRequest()));
    expect(err.errorClass).toBe('auth');
  });

  it('an API that cannot be reached is transient', async () => {
    const provider = await bed.makeProvider({ settings: { endpoint: 'http://127.0.0.1:9' } });
    const err = await providerFailure(provider.list({ tags: {} }));
    expect(err.errorClass).toBe('transient');
    expect(err.providerCode).toBe('ECONNREFUSED');
  });

  it('listing a project that does not exist is a setting to fix', async () => {
    const provider = await bed.makeProvider({ settings: { project: 'no-such-project' } });
    const err = await providerFailure(provider.list({ tags: {} }));
    expect(err.errorClass).toBe('invalid');
    expect(err.message).toMatch(/no-such-project/);
  });
});

describe('terminate failures', () => {
  it('an instance deleted between the read and the delete counts as deleted', async () => {
    const inst = await bed.provider.provision(gcpRequest());
    bed.server.fail('delete', { kind: 'http', status: 404, reason: 'notFound', message: 'The resource was not found' });
    await expect(bed.provider.terminate(inst.id)).resolves.toBeUndefined();
  });

  it('a delete operation that finds nothing counts as deleted', async () => {
    const inst = await bed.provider.provision(gcpRequest());
    bed.server.fail('delete', { kind: 'operation', code: 'RESOURCE_NOT_FOUND', message: 'The resource was not found', httpStatus: 404, httpMessage: 'NOT FOUND' });
    await expect(bed.provider.terminate(inst.id)).resolves.toBeUndefined();
  });

  it('a failed delete operation is classified with the zone as location', async () => {
    const inst = await bed.provider.provision(gcpRequest());
    bed.server.fail('delete', { kind: 'operation', code: 'INTERNAL_ERROR', message: 'Internal error.', httpStatus: 503, httpMessage: 'SERVICE UNAVAILABLE' });
    const err = await providerFailure(bed.provider.terminate(inst.id));
    expect(err).toMatchObject({ errorClass: 'transient', providerCode: 'INTERNAL_ERROR', location: 'us-central1-a' });
    expect([...bed.server.state.instances.values()].map((i) => i.status)).toEqual(['RUNNING']);
  });

  it('an id navarch did not make is invalid', async () => {
    const err = await providerFailure(bed.provider.terminate('i-0123456789abcdef0'));
    expect(err.errorClass).toBe('invalid');
  });
});

describe('waiting on operations', () => {
  it('classifies a failed wait call like any other call', async () => {
    bed.server.fail('wait', { kind: 'http', status: 503, reason: 'backendError', message: 'Backend Error' });
    const err = await providerFailure(bed.provider.provision(gcpRequest()));
    expect(err).toMatchObject({ errorClass: 'transient', providerCode: 'backendError', location: 'us-central1-a' });
  });
});
