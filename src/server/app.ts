/**
 * The control plane's HTTP server (fastify): the agent API, the admin API, `/healthz`, `/readyz`
 * and `/metrics`. Every error leaves as `{error: {code, message}}` with a status that says whose
 * fault it was.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifySchemaValidationError } from 'fastify';
import type { Logger } from '../log/index.js';
import { NavarchError, redact, systemClock, type Clock } from '../model/index.js';
import { adminRoutes, type ControlSurface } from './admin-routes.js';
import { agentRoutes } from './agent-routes.js';
import { authHook, type AuthConfig, type RouteAuth } from './auth.js';
import { hookRoutes } from './hook-routes.js';
import { DEFAULT_NODE_LIMITS, limitHook, NodeRateLimiter, type NodeLimits } from './limits.js';
import type { Metrics } from './metrics.js';
import type { NodeService } from './nodes.js';
import { EVENT_KINDS, validatorFor } from './schemas.js';
import type { Store } from './store/index.js';

export interface ServerOptions {
  nodes: NodeService;
  store: Store;
  metrics: Metrics;
  auth: AuthConfig;
  logger: Logger;
  /** Largest accepted body, in bytes. */
  bodyLimit: number;
  /** PEM certificate and key: serve HTTPS. */
  https?: { cert: string | Buffer; key: string | Buffer } | undefined;
  control?: ControlSurface | undefined;
  /** Per-node request and byte limits of the agent API (default DEFAULT_NODE_LIMITS). */
  limits?: NodeLimits | undefined;
  /** The clock the limits refill by (default the system's). */
  clock?: Clock | undefined;
}

/** A route as registered: what it answers and the credential it takes. */
export interface RouteInfo {
  method: string;
  /** The URL pattern (`/v1/nodes/:id`). */
  url: string;
  auth: RouteAuth;
}

const ROUTES = new WeakMap<FastifyInstance, RouteInfo[]>();

/** Every route `app` registered (HEAD routes of GETs included), so a test can walk them all. */
export function routesOf(app: FastifyInstance): readonly RouteInfo[] {
  return ROUTES.get(app) ?? [];
}

const STATUS_OF_CODE: Record<string, number> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
};

/** ajv's first error, said plainly: where in the body, and what was expected there. */
function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const e = errors[0];
  if (!e) return new Error(`${dataVar} is invalid`);
  const at = `${dataVar}${e.instancePath}`;
  if (e.keyword === 'discriminator') {
    const tag = String((e.params as { tag?: unknown }).tag ?? 'kind');
    return new Error(`${at}/${tag} must be one of ${EVENT_KINDS.join(', ')}`);
  }
  if (e.keyword === 'enum') {
    const allowed = ((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String);
    return new Error(`${at} must be one of ${allowed.join(', ')}`);
  }
  return new Error(`${at} ${e.message ?? 'is invalid'}`);
}

function errorBody(err: FastifyError): { status: number; code: string; message: string } {
  if (err.validation) {
    return { status: 400, code: 'request.invalid', message: `invalid request: ${err.message}` };
  }
  const status = STATUS_OF_CODE[err.code] ?? (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : undefined);
  if (status === 413) return { status, code: 'request.too-large', message: err.message };
  if (status === 415) return { status, code: 'request.media-type', message: `${err.message}; send application/json` };
  if (status !== undefined) return { status, code: 'request.malformed', message: err.message };
  if (err instanceof NavarchError) return { status: 500, code: err.code, message: err.message };
  return { status: 500, code: 'internal', message: 'internal error (see the control plane log)' };
}

export function buildServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    schemaErrorFormatter: formatSchemaErrors,
    bodyLimit: opts.bodyLimit,
    ...(opts.https ? { https: { cert: opts.https.cert, key: opts.https.key } } : {}),
    // Agents may sit behind proxies and retry; a slow client must not hold a socket forever.
    connectionTimeout: 60_000,
    requestTimeout: 60_000,
  }) as unknown as FastifyInstance;

  const routes: RouteInfo[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    const auth = ((r.config as { auth?: RouteAuth } | undefined)?.auth ?? 'admin') as RouteAuth;
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, auth });
  });

  app.setValidatorCompiler(({ schema }) => validatorFor(schema));
  // JSON only: a text body is a client bug, said as 415 rather than as a schema error.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', authHook(opts.auth));
  // After the token check, so only a node's own token spends its allowance.
  const limiter = new NodeRateLimiter(opts.limits ?? DEFAULT_NODE_LIMITS, opts.clock ?? systemClock);
  app.addHook('onRequest', limitHook({ limiter, bodyLimit: opts.bodyLimit, logger: opts.logger.child({ component: 'limits' }), metrics: opts.metrics }));

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = errorBody(err);
    if (e.status >= 500) opts.logger.error({ err: redact(err.stack ?? err.message), url: req.url }, 'request failed');
    return reply.code(e.status).send({ error: { code: e.code, message: redact(e.message) } });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'route.not-found', message: `no route ${req.method} ${req.url.split('?')[0] ?? ''}` } }));

  const open = { config: { auth: 'none' } } as const;
  app.get('/healthz', open, async () => ({ ok: true }));
  app.get('/readyz', open, async (_req, reply) => {
    const r = opts.control?.ready() ?? { ready: true, reason: undefined };
    return reply.code(r.ready ? 200 : 503).send({ ready: r.ready, reason: r.reason ?? null });
  });
  app.get('/metrics', { config: { auth: 'metrics' } }, async (_req, reply) => {
    const pools = opts.control?.fleet()?.pools ?? {};
    opts.metrics.setFleet(opts.control?.views ? await opts.control.views() : await opts.nodes.views(), Object.keys(pools));
    opts.metrics.setPools(pools);
    opts.metrics.setBreakers(await opts.store.breakers());
    opts.metrics.setStore(await opts.store.usage());
    const m = await opts.metrics.render();
    return reply.header('content-type', m.contentType).send(m.body);
  });

  agentRoutes(app, opts.nodes);
  adminRoutes(app, opts.nodes, opts.store, opts.control);
  hookRoutes(app, opts.auth, opts.control);
  return app;
}
