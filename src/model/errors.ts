/**
 * One error hierarchy for the whole project. Every error carries a stable `code`, an optional
 * `cause`, and serialises to JSON without secrets, so each entry point (CLI, server, action) has a
 * single place that maps errors to exit codes or HTTP statuses.
 */
import { snakeCaseKeys } from './keys.js';
import { redact } from './redact.js';

/** Base class of every error navarch raises on purpose. */
export class NavarchError extends Error {
  /** Stable, machine-readable identifier, e.g. `config.invalid`, `plan.stale`. */
  readonly code: string;
  /** Structured details safe to print (already redacted). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  /** The error as printed in JSON (`{"error": ...}`): details with snake_case keys, as every document navarch prints. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    if (this.details) out['details'] = snakeCaseKeys(this.details);
    if (this.cause instanceof Error) out['cause'] = redact(this.cause.message);
    return out;
  }
}

/** One problem found in a file a user wrote. Lines and columns are 1-based. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  /** JSON-pointer-like path of the field, e.g. `/pools/train/min_nodes`; empty for the whole file. */
  path: string;
  message: string;
}

/** Formats a diagnostic the way compilers do: `file:line:column: message (at path)`. */
export function formatDiagnostic(d: Diagnostic): string {
  const at = d.path ? ` (at ${d.path})` : '';
  return `${d.file}:${d.line}:${d.column}: ${d.message}${at}`;
}

/** The config repository is invalid; carries every problem found, not only the first. */
export class ConfigError extends NavarchError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics[0];
    const head = first ? formatDiagnostic(first) : 'invalid configuration';
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    super('config.invalid', `${head}${more}`, { details: { count: diagnostics.length } });
    this.diagnostics = diagnostics;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), diagnostics: this.diagnostics };
  }
}

/**
 * How a provider failure should be handled. `capacity`: try another zone/region/provider;
 * `quota`: likewise, but it will not clear by itself; `throttled`: back off and retry;
 * `auth` and `invalid`: stop; `transient`: retry; `not-found`: the instance is already gone.
 */
export type ProviderErrorClass = 'capacity' | 'quota' | 'throttled' | 'auth' | 'invalid' | 'transient' | 'not-found';

/** A classified failure from a cloud API. */
export class ProviderError extends NavarchError {
  readonly errorClass: ProviderErrorClass;
  readonly provider: string;
  /** The cloud's own error code, e.g. `InsufficientInstanceCapacity`. */
  readonly providerCode: string | undefined;
  /** Where the failure happened, when known (region or zone). */
  readonly location: string | undefined;
  /** A server-suggested delay before retrying, in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    errorClass: ProviderErrorClass,
    provider: string,
    message: string,
    options: { cause?: unknown; providerCode?: string; location?: string; retryAfterMs?: number } = {},
  ) {
    super(`provider.${errorClass}`, message, {
      cause: options.cause,
      details: {
        provider,
        class: errorClass,
        ...(options.providerCode ? { providerCode: options.providerCode } : {}),
        ...(options.location ? { location: options.location } : {}),
      },
    });
    this.errorClass = errorClass;
    this.provider = provider;
    this.providerCode = options.providerCode;
    this.location = options.location;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Whether the same request may succeed if sent again to the same place. */
  get retryable(): boolean {
    return this.errorClass === 'throttled' || this.errorClass === 'transient';
  }
  /** Whether the request may succeed elsewhere (another zone, region or provider). */
  get tryElsewhere(): boolean {
    return this.errorClass === 'capacity' || this.errorClass === 'quota';
  }
}

/** A saved plan no longer matches the desired or observed state. */
export class StalePlanError extends NavarchError {
  constructor(message: string, details: Record<string, unknown>) {
    super('plan.stale', message, { details });
  }
}

/** The plan would do something the safety rules forbid without an explicit flag. */
export class GuardError extends NavarchError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('plan.guard', message, details ? { details } : {});
  }
}

/** Wraps any thrown value into a NavarchError without losing its message. */
export function asNavarchError(err: unknown): NavarchError {
  if (err instanceof NavarchError) return err;
  if (err instanceof Error) return new NavarchError('internal', err.message, { cause: err });
  return new NavarchError('internal', String(err));
}
