/**
 * EC2 error codes mapped to navarch's error classes. The codes are those of the EC2 API reference
 * ("Error codes for the Amazon EC2 API"); where EC2 leaves the class open the choice is noted.
 */
import { ProviderError, type ProviderErrorClass } from '../../model/index.js';

/**
 * Out of capacity where the request was sent: another zone, region or provider may have it, and
 * the offering is remembered as exhausted for a while.
 * - `InsufficientFreeAddressesInSubnet`: the zone's subnet is full; another zone's subnet is not.
 * - `SpotMaxPriceTooLow`: the spot price here is above the pool's `max_price`; it is lower elsewhere.
 * - `Unsupported`: EC2's answer when a type is not offered in a zone (Karpenter treats it alike).
 */
const CAPACITY = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
  'InsufficientCapacity',
  'InsufficientReservedInstanceCapacity',
  'InsufficientCapacityOnHost',
  'UnfulfillableCapacity',
  'InsufficientFreeAddressesInSubnet',
  'SpotMaxPriceTooLow',
  'Unsupported',
]);

/**
 * Account limits: they will not clear by waiting, but another region (quotas are regional) or
 * provider may have room. `MaxSpotInstanceCountExceeded` is the account's spot vCPU quota for
 * the region, so it is a quota, not capacity, although both move the node elsewhere.
 */
const QUOTA = new Set([
  'VcpuLimitExceeded',
  'InstanceLimitExceeded',
  'MaxSpotInstanceCountExceeded',
  'PendingVerification',
  'MaxIOPSLimitExceeded',
  'VolumeLimitExceeded',
  'AddressLimitExceeded',
]);

const THROTTLED = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'SlowDown',
]);

const AUTH = new Set([
  'AuthFailure',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'InvalidAccessKeyId',
  'UnrecognizedClientException',
  'AccessDenied',
  'AccessDeniedException',
  'OptInRequired',
  'Blocked',
  'CredentialsProviderError',
]);

const TRANSIENT = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'RequestTimeout', 'RequestTimeoutException']);

/** Socket-level failures: the request may or may not have reached EC2; retrying is safe (idempotent calls). */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'TimeoutError',
  'NetworkingError',
]);

/** The class of an EC2 error code and HTTP status; unknown client errors are `invalid`, unknown server errors `transient`. */
export function classifyCode(code: string, httpStatus: number | undefined): ProviderErrorClass {
  if (CAPACITY.has(code)) return 'capacity';
  if (QUOTA.has(code)) return 'quota';
  if (THROTTLED.has(code)) return 'throttled';
  if (AUTH.has(code)) return 'auth';
  if (TRANSIENT.has(code) || NETWORK.has(code)) return 'transient';
  if (code.endsWith('.NotFound') && code.startsWith('InvalidInstanceID')) return 'not-found';
  if (httpStatus === 429) return 'throttled';
  if (httpStatus === 401 || httpStatus === 403) return 'auth';
  if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) return 'invalid';
  if (httpStatus !== undefined && httpStatus >= 500) return 'transient';
  // No HTTP answer at all (socket closed, unparseable reply): the call may be repeated safely.
  return 'transient';
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

/** The cloud's own code of an SDK or socket error: the EC2 error code, or the socket error code. */
export function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'Unknown';
  const e = err as SdkErrorShape;
  // Socket errors carry their errno in `code` (ECONNRESET); service errors carry the EC2 code in `name`.
  if (typeof e.code === 'string' && NETWORK.has(e.code)) return e.code;
  if (typeof e.name === 'string' && e.name !== 'Error' && e.name !== 'EC2ServiceException') return e.name;
  if (typeof e.code === 'string') return e.code;
  return 'Unknown';
}

function httpStatusOf(err: unknown): number | undefined {
  const status = (err as SdkErrorShape | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function retryAfterOf(err: unknown): number | undefined {
  const raw = (err as SdkErrorShape | null)?.$response?.headers?.['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Whether `err` is an aborted call (the caller's signal), which is passed through unclassified. */
export function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

/**
 * Turns anything the SDK throws into a classified ProviderError naming the EC2 code and where the
 * call went (`location`: a zone or a region). The message is redacted by ProviderError itself.
 */
export function toProviderError(err: unknown, provider: string, action: string, location: string | undefined): ProviderError {
  if (err instanceof ProviderError) return err;
  const code = errorCode(err);
  const status = httpStatusOf(err);
  const errorClass = classifyCode(code, status);
  const detail = err instanceof Error ? err.message : String(err);
  const where = location ? ` in ${location}` : '';
  const retryAfterMs = retryAfterOf(err);
  return new ProviderError(errorClass, provider, `${action}${where} failed: ${code}: ${detail}`, {
    cause: err,
    providerCode: code,
    ...(location ? { location } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}
