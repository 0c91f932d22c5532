/**
 * Lambda's error codes mapped to navarch's error classes. The API documents that `code` is the
 * stable part of an error (messages and suggestions change), so the class follows the code first
 * and the HTTP status only when the code is unknown or absent (a 429 carries no documented code).
 */
import { ProviderError, type ProviderErrorClass } from '../../model/index.js';
import type { WireError } from './wire.js';

/** Codes from the Lambda Cloud API reference, with the class each maps to. */
export const LAMBDA_ERROR_CLASSES: Readonly<Record<string, ProviderErrorClass>> = {
  'instance-operations/launch/insufficient-capacity': 'capacity',
  'global/quota-exceeded': 'quota',
  'global/invalid-api-key': 'auth',
  'global/account-inactive': 'auth',
  // A billing address Lambda rejects blocks every launch until a person fixes the account.
  'global/invalid-address': 'auth',
  'global/invalid-parameters': 'invalid',
  'instance-operations/launch/file-system-in-wrong-region': 'invalid',
  'instance-operations/launch/file-systems-not-supported': 'invalid',
  'ssh-keys/key-in-use': 'invalid',
  'global/object-does-not-exist': 'not-found',
  'global/unknown': 'transient',
};

/** Classifies a failed response: documented code first, then patterns in the code, then the status. */
export function classify(status: number, code: string | undefined): ProviderErrorClass {
  if (status === 429) return 'throttled';
  if (code !== undefined) {
    const known = LAMBDA_ERROR_CLASSES[code];
    if (known) return known;
    if (code.includes('insufficient-capacity') || code.includes('capacity')) return 'capacity';
    if (code.includes('quota') || code.includes('limit-exceeded') || code.includes('instance-limit')) return 'quota';
    if (code.includes('rate-limit') || code.includes('too-many-requests')) return 'throttled';
    // `provider/...` errors come from Lambda's upstream providers (outages, unavailability).
    if (code.startsWith('provider/') || code.includes('internal') || code.includes('unavailable')) return 'transient';
  }
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 408 || status >= 500) return 'transient';
  return 'invalid';
}

/**
 * Milliseconds a `Retry-After` header asks for: delta-seconds or an HTTP date (measured against
 * `now`, the injected clock). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names a weekday and a month; anything else Date.parse might accept is not one.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** What a failed call was, for the error message. */
export interface FailedCall {
  provider: string;
  /** `GET /instances`, `POST /instance-operations/launch`, ... */
  call: string;
  status: number;
  error: WireError | undefined;
  retryAfterMs: number | undefined;
  /** Region the call was about (capacity and quota errors are remembered per region). */
  region: string | undefined;
}

/** Builds the ProviderError of a failed call. The message says what was called and what Lambda said. */
export function lambdaError(f: FailedCall): ProviderError {
  const errorClass = classify(f.status, f.error?.code);
  const said = f.error ? `${f.error.code}: ${f.error.message || 'no message'}` : `HTTP ${f.status}`;
  const hint = f.error?.suggestion ? ` (${f.error.suggestion})` : '';
  const where = f.region ? ` in ${f.region}` : '';
  return new ProviderError(errorClass, f.provider, `lambda ${f.call}${where} failed: ${said}${hint}`, {
    providerCode: f.error?.code ?? `HTTP ${f.status}`,
    ...(f.region ? { location: f.region } : {}),
    ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
  });
}
