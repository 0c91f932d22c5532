/**
 * Per-node limits on the agent API: a node may send so many requests, and so many body bytes (as
 * its `Content-Length` says), in a burst and then at a steady rate. Decided in `onRequest`, after
 * the token check and before the body is read or parsed, from counters alone: a node past its
 * limit gets 429 with `Retry-After` at the cost of a header parse, and its flood neither fills the
 * store nor slows other nodes down. The limits are far above what an agent sends, even replaying a
 * full outbox (512 reports, see agent/report/outbox.ts) after an outage.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log/index.js';
import type { Clock } from '../model/index.js';
import type { Metrics } from './metrics.js';

/** A token bucket's size: what may come at once, and how fast it refills. */
export interface Rate {
  burst: number;
  perSecond: number;
}

export interface NodeLimits {
  /** Requests to a node's routes (register, heartbeat, health, commands, acks). */
  requests: Rate;
  /** Body bytes to a node's routes, by Content-Length (a body without one counts as the body limit). */
  bytes: Rate;
}

/**
 * An agent sends about ten requests and a few kilobytes a minute; after an outage it replays up
 * to 512 buffered reports back to back, usually of a few kilobytes each (a full outbox of them is
 * a few MiB). Reports near the body limit all the way through would be paced, not lost: the agent
 * keeps them and waits out Retry-After.
 */
export const DEFAULT_NODE_LIMITS: Readonly<NodeLimits> = {
  requests: { burst: 2048, perSecond: 2 },
  bytes: { burst: 16 * 1024 * 1024, perSecond: 64 * 1024 },
};

interface Bucket {
  requests: number;
  bytes: number;
  at: number;
  /** Set while the node is being refused, so the log says so once per episode. */
  limited: boolean;
}

/** Buckets kept before full ones (nodes within their limits) are forgotten. */
const KEPT_BUCKETS = 4096;

/** The counters of every node, refilled lazily from the clock. */
export class NodeRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: NodeLimits,
    private readonly clock: Clock,
  ) {}

  /** Takes one request of `bytes` from `node`'s allowance: 0 when it may go on, else the seconds to wait. */
  take(node: string, bytes: number): { retryAfterS: number; first: boolean } {
    const now = this.clock.now();
    const { requests, bytes: volume } = this.limits;
    const b = this.buckets.get(node) ?? { requests: requests.burst, bytes: volume.burst, at: now, limited: false };
    const elapsed = Math.max(0, now - b.at) / 1000;
    b.requests = Math.min(requests.burst, b.requests + elapsed * requests.perSecond);
    b.bytes = Math.min(volume.burst, b.bytes + elapsed * volume.perSecond);
    b.at = now;
    // One body larger than the whole burst waits for a full bucket rather than for ever.
    const size = Math.min(bytes, volume.burst);
    const wait = Math.max(0, (1 - b.requests) / requests.perSecond, (size - b.bytes) / volume.perSecond);
    if (!this.buckets.has(node)) this.remember(node, b);
    if (wait > 0) {
      const first = !b.limited;
      b.limited = true;
      return { retryAfterS: Math.max(1, Math.ceil(wait)), first };
    }
    b.requests -= 1;
    b.bytes -= size;
    b.limited = false;
    return { retryAfterS: 0, first: false };
  }

  private remember(node: string, b: Bucket): void {
    if (this.buckets.size >= KEPT_BUCKETS) {
      const full = (x: Bucket): boolean => x.requests >= this.limits.requests.burst && x.bytes >= this.limits.bytes.burst;
      for (const [id, x] of this.buckets) if (full(x)) this.buckets.delete(id);
    }
    this.buckets.set(node, b);
  }
}

export interface LimitHookOptions {
  limiter: NodeRateLimiter;
  /** Charged for a body that does not say its length. */
  bodyLimit: number;
  logger: Logger;
  metrics: Metrics;
}

/**
 * The `onRequest` hook: on node routes (whose token the auth hook has already checked), takes the
 * request from its node's allowance or answers 429 with Retry-After, closing the connection so
 * the body is never read.
 */
export function limitHook(o: LimitHookOptions) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const auth = (req.routeOptions.config as { auth?: string } | undefined)?.auth;
    if (auth !== 'node') return;
    const node = (req.params as Record<string, unknown> | undefined)?.['id'];
    if (typeof node !== 'string') return;
    const length = Number(req.headers['content-length']);
    const bytes = Number.isFinite(length) && length >= 0 ? Math.min(length, o.bodyLimit) : req.method === 'GET' ? 0 : o.bodyLimit;
    const { retryAfterS, first } = o.limiter.take(node, bytes);
    if (retryAfterS === 0) return;
    o.metrics.requestsLimited.inc({ node });
    if (first) o.logger.warn({ node, retryAfterS }, 'node past its request limit; answering 429 until it slows down');
    void reply
      .code(429)
      .header('retry-after', String(retryAfterS))
      .header('connection', 'close')
      .send({ error: { code: 'rate.limited', message: `node ${node} is sending more than its limit (requests or body bytes per second); retry after ${retryAfterS}s` } });
    return reply;
  };
}
