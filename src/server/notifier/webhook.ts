/**
 * The webhook notifier: POSTs `{event, node_id, pool, reason, timestamp}` (the seeds' events) to a
 * URL, and polls a drain-status URL until the workload system says the node is empty.
 */
import type { Logger } from '../../log/index.js';
import { NavarchError, registerSecret, retry, type Clock } from '../../model/index.js';
import type { NotifierSettings } from '../settings.js';
import type { NotifiedNode, Notifier } from './types.js';

export type WebhookEvent = 'cordon' | 'uncordon' | 'drain';

export interface WebhookDeps {
  clock: Clock;
  logger: Logger;
  env: Readonly<Record<string, string | undefined>>;
  /** Backoff of retried requests (tests shorten it). */
  retry?: { attempts: number; baseMs: number; maxMs: number };
}

/** A failure worth another try: the network, a timeout, 429 or a 5xx. */
class RetryableError extends NavarchError {}

/** Reads `a.b.c` from a parsed JSON document. */
export function fieldAt(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const key of path.split('.')) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export class WebhookNotifier implements Notifier {
  readonly name = 'webhook';
  private readonly token: string | undefined;
  private readonly url: string;

  constructor(
    private readonly settings: NotifierSettings,
    private readonly deps: WebhookDeps,
  ) {
    if (!settings.url) throw new NavarchError('notifier.invalid', 'the webhook notifier needs `control_plane.notifier.url`');
    this.url = settings.url;
    this.token = settings.tokenEnv ? deps.env[settings.tokenEnv] : undefined;
    if (settings.tokenEnv && !this.token) {
      throw new NavarchError('notifier.invalid', `control_plane.notifier.token_env names ${settings.tokenEnv}, which is not set`);
    }
    registerSecret(this.token);
  }

  cordon(node: NotifiedNode, reason: string, signal?: AbortSignal): Promise<void> {
    return this.post('cordon', node, reason, signal);
  }
  uncordon(node: NotifiedNode, signal?: AbortSignal): Promise<void> {
    return this.post('uncordon', node, '', signal);
  }
  drain(node: NotifiedNode, reason: string, signal?: AbortSignal): Promise<void> {
    return this.post('drain', node, reason, signal);
  }

  async isDrained(node: NotifiedNode, signal?: AbortSignal): Promise<boolean> {
    const template = this.settings.drainStatusUrl;
    if (!template) return true;
    const url = template.split('{node}').join(encodeURIComponent(node.name));
    const res = await this.request(url, { method: 'GET', headers: this.headers() }, signal);
    let doc: unknown;
    try {
      doc = JSON.parse(res);
    } catch {
      throw new NavarchError('notifier.invalid-response', `drain status of ${node.name} from ${url} is not JSON`);
    }
    return fieldAt(doc, this.settings.drainStatusField) === true;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    if (this.token) h['authorization'] = `Bearer ${this.token}`;
    return h;
  }

  private async post(event: WebhookEvent, node: NotifiedNode, reason: string, signal?: AbortSignal): Promise<void> {
    const body = JSON.stringify({
      event,
      node_id: node.name,
      pool: node.pool ?? null,
      reason,
      timestamp: new Date(this.deps.clock.now()).toISOString(),
    });
    await this.request(this.url, { method: 'POST', headers: { ...this.headers(), 'content-type': 'application/json' }, body }, signal);
    this.deps.logger.info({ event, node: node.name, pool: node.pool }, 'webhook notified');
  }

  private request(url: string, init: RequestInit, signal?: AbortSignal): Promise<string> {
    const policy = this.deps.retry ?? { attempts: 3, baseMs: 1_000, maxMs: 10_000 };
    return retry(
      async () => {
        const timeout = AbortSignal.timeout(this.settings.timeoutMs);
        let res: Response;
        try {
          res = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
        } catch (err) {
          if (signal?.aborted) throw err;
          throw new RetryableError('notifier.unreachable', `webhook ${url}: ${(err as Error).message}`, { cause: err });
        }
        const text = await res.text();
        if (res.ok) return text;
        const message = `webhook ${url} answered ${res.status}: ${text.slice(0, 200)}`;
        if (res.status === 429 || res.status >= 500) throw new RetryableError('notifier.unavailable', message);
        throw new NavarchError('notifier.rejected', message);
      },
      {
        clock: this.deps.clock,
        ...policy,
        signal,
        shouldRetry: (err) => err instanceof RetryableError,
        onRetry: (err, attempt, waitMs) => this.deps.logger.warn({ err: (err as Error).message, attempt, waitMs }, 'webhook failed; retrying'),
      },
    );
  }
}
