/**
 * Classifies Compute Engine failures into navarch's error classes. Failures arrive two ways and
 * both must map the same: as a synchronous HTTP error document
 * (`{error: {code, message, errors: [{reason}], status, details}}`) when a request is refused, and
 * inside a finished Operation (`error.errors[].code`, `httpErrorStatusCode`) when an accepted
 * request fails later, which is how capacity stock-outs and most quota failures are reported.
 */
import { isRecord, ProviderError, type ProviderErrorClass } from '../../model/index.js';

/** Where a failure happened, for the message and `location`. */
export interface ErrorContext {
  provider: string;
  /** What was being done, e.g. `creating instance x in us-central1-a`. */
  action: string;
  /** Zone or region of the call, when it has one. */
  location?: string | undefined;
}

/** An Operation's error as the API returns it. */
export interface OperationErrorShape {
  error?: { errors?: Array<OperationErrorItem> | null } | null;
  httpErrorStatusCode?: number | null;
  httpErrorMessage?: string | null;
  zone?: string | null;
}

/** One entry of `Operation.error.errors`. */
export interface OperationErrorItem {
  code?: string | null;
  message?: string | null;
  errorDetails?: Array<{
    errorInfo?: { reason?: string | null; metadatas?: Record<string, string> | null } | null;
    quotaInfo?: { metricName?: string | null; limitName?: string | null; dimensions?: Record<string, string> | null } | null;
  }> | null;
}

/** Operation error codes that mean the zone has no machines of that shape right now. */
const CAPACITY_CODES = new Set(['ZONE_RESOURCE_POOL_EXHAUSTED', 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS', 'insufficientCapacity']);
const QUOTA_CODES = new Set(['QUOTA_EXCEEDED', 'quotaExceeded', 'RESOURCE_QUOTA_EXCEEDED']);
const THROTTLE_CODES = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED', 'RESOURCE_OPERATION_RATE_EXCEEDED']);
const NOT_FOUND_CODES = new Set(['RESOURCE_NOT_FOUND', 'notFound']);
/** Refusals that clear by themselves: the resource is busy with another operation, or changed under a fingerprint. */
const BUSY_CODES = new Set(['resourceNotReady', 'RESOURCE_NOT_READY', 'conditionNotMet']);
/** Node's and undici's codes for a connection that failed before any HTTP answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'TimeoutError',
]);
/** How the auth library reports credentials it cannot find or use. */
const CREDENTIAL_TROUBLE = /default credentials|private[_ ]key|client_email|invalid_grant|invalid_client|unauthorized_client|credential|DECODER routines|PEM routines|no key or keyFile/i;

/** gRPC codes (google.rpc.Code) that the client library may put on an error instead of an HTTP status. */
const GRPC_CLASS: Record<number, ProviderErrorClass> = {
  1: 'transient', // CANCELLED
  2: 'transient', // UNKNOWN
  3: 'invalid', // INVALID_ARGUMENT
  4: 'transient', // DEADLINE_EXCEEDED
  5: 'not-found', // NOT_FOUND
  6: 'invalid', // ALREADY_EXISTS
  7: 'auth', // PERMISSION_DENIED
  8: 'throttled', // RESOURCE_EXHAUSTED
  9: 'invalid', // FAILED_PRECONDITION
  10: 'transient', // ABORTED
  11: 'invalid', // OUT_OF_RANGE
  12: 'invalid', // UNIMPLEMENTED
  13: 'transient', // INTERNAL
  14: 'transient', // UNAVAILABLE
  16: 'auth', // UNAUTHENTICATED
};


function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A quota failure's message: which quota, and whether it binds the whole project or one region. */
function quotaMessage(item: { code: string; message: string }, details: OperationErrorItem['errorDetails'], ctx: ErrorContext): {
  message: string;
  location: string | undefined;
} {
  const quotaInfo = details?.find((d) => d.quotaInfo)?.quotaInfo;
  const named = /Quota '([A-Za-z0-9_]+)' exceeded/.exec(item.message)?.[1] ?? quotaInfo?.limitName ?? quotaInfo?.metricName ?? undefined;
  const region = quotaInfo?.dimensions?.['region'] ?? /in region ([a-z]+-[a-z]+\d+)/.exec(item.message)?.[1];
  // GPUS_ALL_REGIONS and its kin bind the whole project; Compute Engine says "Limit: N globally" for them.
  const projectWide = (named !== undefined && /ALL_REGIONS/i.test(named)) || /\bglobally\b/.test(item.message);
  const scope = projectWide
    ? 'a project-wide quota: every region of this project will refuse the same request until it is raised'
    : `a regional quota${region ? ` of ${region}` : ''}: other regions have their own`;
  return {
    message: `${ctx.action}: ${item.message} (${item.code}; ${scope})`,
    location: projectWide ? 'global' : (region ?? ctx.location),
  };
}

/** Builds the ProviderError for a cloud code (an Operation error code or an HTTP reason). */
function fromCode(
  errorClass: ProviderErrorClass,
  item: { code: string; message: string },
  ctx: ErrorContext,
  extra: { details?: OperationErrorItem['errorDetails']; retryAfterMs?: number | undefined; http?: string | undefined } = {},
): ProviderError {
  if (errorClass === 'quota') {
    const q = quotaMessage(item, extra.details, ctx);
    return new ProviderError('quota', ctx.provider, q.message, { providerCode: item.code, ...(q.location ? { location: q.location } : {}) });
  }
  const suffix = extra.http ? `${item.code}, ${extra.http}` : item.code;
  return new ProviderError(errorClass, ctx.provider, `${ctx.action}: ${item.message} (${suffix})`, {
    providerCode: item.code,
    ...(ctx.location ? { location: ctx.location } : {}),
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
  });
}

/** The class an HTTP status means when no reason says more. */
function classOfStatus(status: number): ProviderErrorClass {
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 408) return 'transient';
  if (status >= 500) return 'transient';
  return 'invalid';
}

/** The class a cloud code means, or undefined when the code alone does not say. */
function classOfCode(code: string, message: string): ProviderErrorClass | undefined {
  if (THROTTLE_CODES.has(code)) return 'throttled';
  if (QUOTA_CODES.has(code)) return 'quota';
  if (CAPACITY_CODES.has(code) || /does not have enough resources available/.test(message)) return 'capacity';
  if (NOT_FOUND_CODES.has(code)) return 'not-found';
  if (BUSY_CODES.has(code)) return 'transient';
  return undefined;
}

/** Classifies a finished Operation's error. */
export function operationError(op: OperationErrorShape, ctx: ErrorContext): ProviderError {
  const first = op.error?.errors?.[0];
  const code = str(first?.code) ?? (op.httpErrorStatusCode ? `HTTP_${op.httpErrorStatusCode}` : 'UNKNOWN');
  const message = str(first?.message) ?? str(op.httpErrorMessage) ?? 'the operation failed';
  const byCode = classOfCode(code, message);
  const errorClass = byCode ?? (op.httpErrorStatusCode ? classOfStatus(op.httpErrorStatusCode) : 'transient');
  const http = op.httpErrorStatusCode ? `HTTP ${op.httpErrorStatusCode}${op.httpErrorMessage ? ` ${op.httpErrorMessage}` : ''}` : undefined;
  return fromCode(errorClass, { code, message }, ctx, { details: first?.errorDetails, http });
}

/** The JSON error document of a failed HTTP response, wherever the client library left it. */
function errorDocument(err: Record<string, unknown>): Record<string, unknown> | undefined {
  const response = isRecord(err['response']) ? err['response'] : undefined;
  const candidates: unknown[] = [response?.['data'], err['message']];
  for (const c of candidates) {
    let doc: unknown = c;
    if (typeof c === 'string') {
      try {
        doc = JSON.parse(c);
      } catch {
        continue;
      }
    }
    if (isRecord(doc) && 'error' in doc) return doc;
  }
  return undefined;
}

function httpStatusOf(err: Record<string, unknown>): number | undefined {
  const response = isRecord(err['response']) ? err['response'] : undefined;
  const status = err['status'] ?? response?.['status'];
  return typeof status === 'number' && status >= 100 ? status : undefined;
}

function retryAfterOf(err: Record<string, unknown>): number | undefined {
  const response = isRecord(err['response']) ? err['response'] : undefined;
  const headers = response?.['headers'];
  let raw: unknown;
  // Headers of whichever fetch implementation the HTTP client used, or a plain record.
  const get = isRecord(headers) || headers instanceof Object ? (headers as { get?: unknown }).get : undefined;
  if (typeof get === 'function') raw = (get as (name: string) => unknown).call(headers, 'retry-after');
  else if (isRecord(headers)) raw = headers['retry-after'];
  if (typeof raw !== 'string') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Classifies a failed HTTP exchange from its status and error document. */
function httpError(status: number, doc: Record<string, unknown> | undefined, err: Record<string, unknown>, ctx: ErrorContext): ProviderError {
  const body = doc?.['error'];
  const retryAfterMs = retryAfterOf(err);
  // OAuth 2.0 endpoints answer `{error: "invalid_grant", error_description}`: the credentials were refused.
  if (typeof body === 'string') {
    const description = str(doc?.['error_description']) ?? body;
    return fromCode('auth', { code: body, message: `credentials refused: ${description}` }, ctx, { http: `HTTP ${status}` });
  }
  const e = isRecord(body) ? body : {};
  const items = Array.isArray(e['errors']) ? e['errors'].filter(isRecord) : [];
  const infoReasons = (Array.isArray(e['details']) ? e['details'].filter(isRecord) : [])
    .filter((d) => String(d['@type'] ?? '').endsWith('google.rpc.ErrorInfo'))
    .map((d) => str(d['reason']))
    .filter((r): r is string => r !== undefined);
  const reasons = [...items.map((i) => str(i['reason'])).filter((r): r is string => r !== undefined), ...infoReasons];
  const raw = typeof err['message'] === 'string' && !err['message'].startsWith('{') ? err['message'] : undefined;
  // A proxy's HTML error page is not worth more than its first line.
  const message = str(e['message']) ?? (raw ? raw.split('\n')[0]?.slice(0, 200) : undefined) ?? `HTTP ${status}`;
  let errorClass: ProviderErrorClass | undefined;
  let code: string | undefined;
  for (const reason of reasons) {
    errorClass = classOfCode(reason, message);
    if (errorClass) {
      code = reason;
      break;
    }
  }
  if (!errorClass && /^Quota '[^']+' exceeded/.test(message)) errorClass = 'quota';
  errorClass ??= classOfStatus(status);
  code ??= reasons[0] ?? str(e['status']) ?? `HTTP_${status}`;
  return fromCode(errorClass, { code, message }, ctx, { retryAfterMs, http: `HTTP ${status}` });
}

/**
 * Maps anything a Compute Engine call threw to a ProviderError. The cloud's own text is kept in
 * the message (redacted like every NavarchError); the raw error is not kept as the cause because
 * the HTTP client's errors carry the request, headers included.
 */
export function classifyError(err: unknown, ctx: ErrorContext): ProviderError {
  if (err instanceof ProviderError) return err;
  const rec: Record<string, unknown> = isRecord(err) || err instanceof Error ? (err as unknown as Record<string, unknown>) : {};
  const status = httpStatusOf(rec);
  const doc = errorDocument(rec);
  if (status !== undefined) return httpError(status, doc, rec, ctx);
  if (doc) {
    const code = isRecord(doc['error']) ? doc['error']['code'] : undefined;
    if (typeof code === 'number') return httpError(code, doc, rec, ctx);
  }
  const message = err instanceof Error ? err.message : String(err);
  const where = { ...(ctx.location ? { location: ctx.location } : {}) };
  const errCode = rec['code'];
  const causeCode = isRecord(rec['cause']) ? rec['cause']['code'] : undefined;
  if ([errCode, causeCode, rec['name']].some((c) => typeof c === 'string' && NETWORK_CODES.has(c)) || /fetch failed|socket hang up/i.test(message)) {
    const code = typeof errCode === 'string' ? errCode : typeof causeCode === 'string' ? causeCode : 'NETWORK';
    return new ProviderError('transient', ctx.provider, `${ctx.action}: cannot reach the Compute Engine API: ${message}`, { providerCode: code, ...where });
  }
  if (CREDENTIAL_TROUBLE.test(message) || errCode === 'ENOENT') {
    return new ProviderError('auth', ctx.provider, `${ctx.action}: no usable Google credentials: ${message}`, { providerCode: 'CREDENTIALS', ...where });
  }
  if (typeof errCode === 'number' && GRPC_CLASS[errCode]) {
    const reason = str(rec['reason']);
    const errorClass = (reason ? classOfCode(reason, message) : undefined) ?? GRPC_CLASS[errCode] ?? 'transient';
    return new ProviderError(errorClass, ctx.provider, `${ctx.action}: ${message}`, { providerCode: reason ?? `GRPC_${errCode}`, ...where });
  }
  return new ProviderError('transient', ctx.provider, `${ctx.action}: ${message}`, { ...where });
}
