/**
 * Who may call what. Admin routes take the admin bearer token (NAVARCH_AUTH_TOKEN); their reads
 * (GET, HEAD) also take the read-only token (NAVARCH_READ_TOKEN), which every other method refuses
 * with 403, so a dashboard or a CI job can see everything and change nothing. Agent routes take a
 * per-node token derived from the node secret (NAVARCH_NODE_SECRET) and the node id, so a stolen
 * token speaks for one node only. `/metrics` is open unless a metrics token is set; then it takes
 * that, the read-only or the admin token. Checked in `onRequest`, before the body is read: a
 * refused request never reaches a handler or the store. The push webhook also takes a git host's
 * signature of its body (NAVARCH_WEBHOOK_SECRET), which can only be checked once the body is read.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NavarchError, NODE_ID } from '../model/index.js';

export { NODE_ID };

/**
 * Which credential a route takes. `webhook`: the admin token, or a body signature checked by the
 * route itself. `metrics`: open, unless a metrics token is set.
 */
export type RouteAuth = 'admin' | 'node' | 'webhook' | 'metrics' | 'none';

/** Methods that only read: the read-only token takes these and no other. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** The header GitHub (and Gitea, Forgejo) sign a webhook's body in. */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** The token of node `nodeId`: base64url(HMAC-SHA256(secret, "navarch-node:" + nodeId)). */
export function nodeToken(secret: string, nodeId: string): string {
  return createHmac('sha256', secret).update(`navarch-node:${nodeId}`).digest('base64url');
}

/** Constant-time equality of two strings of any length (both are hashed to equal length first). */
export function secureEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export class AuthError extends NavarchError {
  constructor(
    readonly status: 401 | 403,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * Maps tokens of nodes the control plane knows back to their ids, so a token used on another
 * node's route is told apart (403) from one that is no token at all (401).
 */
export class KnownTokens {
  private readonly byToken = new Map<string, string>();
  private readonly ids = new Set<string>();
  constructor(private readonly secret: string) {}

  add(nodeId: string): void {
    if (this.ids.has(nodeId)) return;
    this.ids.add(nodeId);
    this.byToken.set(nodeToken(this.secret, nodeId), nodeId);
  }
  owner(token: string): string | undefined {
    return this.byToken.get(token);
  }
}

export interface AuthConfig {
  adminToken: string;
  nodeSecret: string;
  known: KnownTokens;
  /** The secret git hosts sign push webhooks with; without it the webhook takes the admin token only. */
  webhookSecret?: string | undefined;
  /** Reads every admin route and changes nothing; without it admin reads take the admin token only. */
  readToken?: string | undefined;
  /** When set, `/metrics` requires it (or the read-only or admin token). */
  metricsToken?: string | undefined;
}

/** The request's `Authorization: Bearer` token, if it carries one. */
export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** Throws AuthError unless the request carries the credential its route takes. */
export function authorize(req: FastifyRequest, auth: RouteAuth, config: AuthConfig): void {
  if (auth === 'none') return;
  const token = bearer(req);
  if (auth === 'webhook' && token === undefined) {
    if (req.headers[SIGNATURE_HEADER] === undefined) {
      throw new AuthError(401, 'auth.missing', `missing credentials: a signed body (${SIGNATURE_HEADER}) or the admin token (Authorization: Bearer <token>)`);
    }
    if (config.webhookSecret === undefined) {
      throw new AuthError(401, 'auth.webhook-secret-unset', 'this control plane has no NAVARCH_WEBHOOK_SECRET, so it cannot check signatures: use the admin token, or set the secret');
    }
    // The signature covers the body, which is not read yet: the route checks it.
    return;
  }
  if (auth === 'metrics' && config.metricsToken === undefined) return;
  if (token === undefined) throw new AuthError(401, 'auth.missing', 'missing bearer token (Authorization: Bearer <token>)');
  if (auth === 'metrics') {
    const accepted = [config.metricsToken, config.readToken, config.adminToken].some((t) => t !== undefined && secureEqual(token, t));
    if (!accepted) throw new AuthError(401, 'auth.invalid', 'invalid token: /metrics takes the metrics, read-only or admin token');
    return;
  }
  if (auth === 'admin' || auth === 'webhook') {
    if (secureEqual(token, config.adminToken)) return;
    if (config.readToken !== undefined && secureEqual(token, config.readToken)) {
      if (auth === 'admin' && READ_METHODS.has(req.method)) return;
      const route = `${req.method} ${req.url.split('?')[0] ?? ''}`;
      throw new AuthError(403, 'auth.read-only', `the read-only token (NAVARCH_READ_TOKEN) cannot change anything: ${route} takes the admin token (NAVARCH_AUTH_TOKEN)`);
    }
    const readable = auth === 'admin' && config.readToken !== undefined && READ_METHODS.has(req.method);
    throw new AuthError(401, 'auth.invalid', readable ? 'invalid token: this route takes the admin or the read-only token' : 'invalid admin token');
  }
  const id = (req.params as Record<string, unknown> | undefined)?.['id'];
  const nodeId = typeof id === 'string' ? id : '';
  if (NODE_ID.test(nodeId) && secureEqual(token, nodeToken(config.nodeSecret, nodeId))) return;
  const owner = config.known.owner(token);
  if (owner !== undefined && owner !== nodeId) {
    throw new AuthError(403, 'auth.wrong-node', `this token belongs to node ${owner}, not ${nodeId || 'this route'}`);
  }
  throw new AuthError(401, 'auth.invalid', `invalid token for node ${nodeId || '(none)'}`);
}

/** The `onRequest` hook: reads the route's `config.auth` (default admin) and refuses early. */
export function authHook(config: AuthConfig) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const auth = ((req.routeOptions.config as { auth?: RouteAuth } | undefined)?.auth ?? 'admin') as RouteAuth;
    try {
      authorize(req, auth, config);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      // Close the connection: a refused client should not get to stream a body we will never read.
      void reply
        .code(err.status)
        .header('connection', 'close')
        .header('www-authenticate', 'Bearer')
        .send({ error: { code: err.code, message: err.message } });
      return reply;
    }
  };
}
