/**
 * The Lambda Cloud REST API over the global fetch: bearer authentication, the account's rate
 * limits (every request paced, launches paced further), and every failure turned into a classified
 * ProviderError. The API key lives in a private field so it is never serialised or inspected with
 * the client, and is only ever written into the Authorization header.
 */
import { ProviderError, type Clock, type ProviderErrorClass } from '../../model/index.js';
import type { Logger } from '../../log/index.js';
import type { ApiKey } from './credentials.js';
import { lambdaError, parseRetryAfter } from './errors.js';
import { bookTogether, Pacer } from './pacer.js';
import { readData, readError } from './wire.js';

/** A request that hangs this long is abandoned and reported as transient. */
export const REQUEST_TIMEOUT_MS = 60_000;

/** What a client needs; `apiKey` is kept apart from the rest once built. */
export interface LambdaClientOptions {
  provider: string;
  endpoint: string;
  apiKey: ApiKey;
  clock: Clock;
  logger: Logger;
  requestIntervalMs: number;
  launchIntervalMs: number;
}

/** One call: what to send, and how a few outcomes should read. */
export interface CallOptions {
  body?: unknown;
  /** Paced as a launch as well as a request. */
  launch?: boolean;
  /** The region the call is about, reported as the failure's location. */
  region?: string;
  /** Re-class some failures (a launch naming a missing SSH key is invalid, not "not found"). */
  reclass?: Partial<Record<ProviderErrorClass, ProviderErrorClass>>;
  signal?: AbortSignal | undefined;
}

/** One provider's connection to the Lambda Cloud API, paced to the account's limits. */
export class LambdaClient {
  readonly #apiKey: ApiKey;
  private readonly opts: Omit<LambdaClientOptions, 'apiKey'>;
  private readonly requests: Pacer;
  private readonly launches: Pacer;

  constructor({ apiKey, ...opts }: LambdaClientOptions) {
    // Kept apart from the other options so nothing that walks the object finds it.
    this.#apiKey = apiKey;
    this.opts = opts;
    this.requests = new Pacer(opts.clock, opts.requestIntervalMs);
    this.launches = new Pacer(opts.clock, opts.launchIntervalMs);
  }

  /** Sends `method path` and returns the response's `data`; throws ProviderError on any failure. */
  async call(method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<unknown> {
    const call = `${method} ${path}`;
    const fail = (errorClass: ProviderErrorClass, message: string, cause?: unknown): ProviderError =>
      new ProviderError(options.reclass?.[errorClass] ?? errorClass, this.opts.provider, `lambda ${call} failed: ${message}`, {
        ...(cause !== undefined ? { cause } : {}),
        ...(options.region ? { location: options.region } : {}),
      });
    if ('missing' in this.#apiKey) throw fail('auth', this.#apiKey.missing);
    // A launch is also a request: it needs a time free in both pacers, booked at once so the
    // launch interval is measured between the times launches are actually sent.
    if (options.launch) await bookTogether(this.opts.clock, [this.launches, this.requests], options.signal);
    else await this.requests.take(options.signal);

    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(`${this.opts.endpoint}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#apiKey.key}`,
          accept: 'application/json',
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal,
      });
    } catch (err) {
      // The caller's abort is not a cloud failure: let it through as it came.
      if (options.signal?.aborted) throw options.signal.reason;
      const why = timeout.aborted ? `no response within ${REQUEST_TIMEOUT_MS / 1000}s` : describe(err);
      throw fail('transient', why, err);
    }

    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    this.opts.logger.debug({ call, status: response.status }, 'lambda api call');
    if (response.ok) {
      const data = readData(body);
      if (data === undefined) throw fail('transient', `HTTP ${response.status} without a data member`);
      return data;
    }

    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.opts.clock.now());
    // Everything on this account waits when the server says so, not only the call that was told.
    if (response.status === 429 && retryAfterMs !== undefined) this.requests.holdFor(retryAfterMs);
    const err = lambdaError({
      provider: this.opts.provider,
      call,
      status: response.status,
      error: readError(body),
      retryAfterMs,
      region: options.region,
    });
    const reclassed = options.reclass?.[err.errorClass];
    if (!reclassed) throw err;
    throw new ProviderError(reclassed, err.provider, err.message, {
      cause: err,
      ...(err.providerCode ? { providerCode: err.providerCode } : {}),
      ...(err.location ? { location: err.location } : {}),
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    });
  }
}

/** A network failure in words; fetch hides the socket error in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
