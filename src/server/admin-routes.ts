/**
 * The operator's API: nodes, cordons and drains, the fleet, the planner's facts, reconciles, the
 * circuit breaker. The admin token; reads (GET) also take the read-only token.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BreakerState } from '../health/index.js';
import type { CommandKind, FleetStatus, StatusLifecycle } from '../model/index.js';
import { factsDocument } from '../observe/index.js';
import type { NodeView } from './metrics.js';
import type { NodeService } from './nodes.js';
import type { Store } from './store/index.js';
import { validatorFor } from './schemas.js';
import type { PassFacts } from './reconcile.js';
import type { PushNotice } from './webhook.js';
import { nodeDetail, nodeSummary } from './views.js';

/** What the reconcile loop offers the API; absent when the server runs without one. */
export interface ControlSurface {
  /** Starts a reconcile (or joins the one running); with `wait`, resolves when it is done. */
  reconcile(wait: boolean): Promise<{ result: string; actions: number; warnings: string[] } | undefined>;
  /** The status as last written. */
  fleet(): FleetStatus | undefined;
  /** The facts the last pass's planner took (after the breakers); undefined before a pass got that far. */
  facts?(): PassFacts | undefined;
  resetBreaker(pool: string): Promise<BreakerState>;
  /** Ready once a reconcile has read a valid configuration. */
  ready(): { ready: boolean; reason: string | undefined };
  /** A node's pool when the store does not know it (the fleet does). */
  poolOf(node: string): string | undefined;
  /** Every node of the fleet for /metrics, registered or not. */
  views?(): Promise<NodeView[]>;
  /** A push webhook: reconcile now unless the push changes nothing this control plane reads. */
  pushed?(push: PushNotice): { queued: boolean; reason: string };
  /** The node's part in a replacement (or removal) in flight, as the status file shows it. */
  lifecycleOf?(node: string): StatusLifecycle | undefined;
}

type IdParams = { id: string };
const reasonBody = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 1024 } },
} as const;
const checkReason = validatorFor(reasonBody);
const commandBody = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { enum: ['cordon', 'uncordon', 'drain', 'terminate-self', 'run-diagnostic'] },
    reason: { type: 'string', maxLength: 1024 },
    params: { type: 'object' },
  },
} as const;

/** How much history a node's detail shows by default, and at most (`?limit=`). */
const DEFAULT_HISTORY = 100;
const MAX_HISTORY = 5000;

function historyLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return DEFAULT_HISTORY;
  const n = Number(raw);
  return /^\d+$/.test(raw) && n >= 1 && n <= MAX_HISTORY ? n : undefined;
}

function notFound(reply: FastifyReply, id: string): FastifyReply {
  return reply.code(404).send({ error: { code: 'node.not-found', message: `no node ${id} has registered` } });
}

function noLoop(reply: FastifyReply): FastifyReply {
  return reply.code(503).send({ error: { code: 'control.unavailable', message: 'this server runs without a reconcile loop' } });
}

export function adminRoutes(app: FastifyInstance, nodes: NodeService, store: Store, control: ControlSurface | undefined): void {
  app.get('/v1/nodes', async () => {
    const records = await store.listNodes();
    return { nodes: records.map((r) => nodeSummary(r, nodes.verdict(r))) };
  });

  app.get<{ Params: IdParams; Querystring: { limit?: string } }>('/v1/nodes/:id', async (req, reply) => {
    const limit = historyLimit(req.query.limit);
    if (limit === undefined) {
      return reply.code(400).send({ error: { code: 'request.invalid', message: `invalid request: limit must be a whole number from 1 to ${MAX_HISTORY}` } });
    }
    const r = await store.getNode(req.params.id);
    if (!r) return notFound(reply, req.params.id);
    const [events, reports, commands] = await Promise.all([store.events(r.id, limit), store.reports(r.id, limit), store.commands(r.id, limit)]);
    return { node: { ...nodeDetail(r, nodes.verdict(r), { events, reports, commands }), lifecycle: control?.lifecycleOf?.(r.id) ?? null } };
  });

  const lifecycle = (action: 'cordon' | 'uncordon' | 'drain'): void => {
    app.post<{ Params: IdParams; Body: { reason?: string } | undefined }>(`/v1/nodes/:id/${action}`, async (req, reply) => {
      // The body is optional here (a bare POST is the common case), so it is checked by hand.
      if (req.body !== undefined && !checkReason(req.body)) {
        return reply.code(400).send({ error: { code: 'request.invalid', message: `invalid request: body${checkReason.errors?.[0]?.instancePath ?? ''} ${checkReason.errors?.[0]?.message ?? 'is invalid'}` } });
      }
      const r = await store.getNode(req.params.id);
      if (!r) return notFound(reply, req.params.id);
      const target = { name: r.id, pool: r.pool ?? control?.poolOf(r.id) };
      const reason = req.body?.reason ?? `${action} requested by an operator`;
      const outcome = action === 'uncordon' ? await nodes.uncordon(target) : await nodes.cordon(target, reason, action === 'drain');
      const body = { node: outcome.record ? nodeSummary(outcome.record, nodes.verdict(outcome.record)) : null, notifier_error: outcome.notifierError ?? null };
      return reply.code(outcome.notifierError ? 502 : 200).send(body);
    });
  };
  lifecycle('cordon');
  lifecycle('uncordon');
  lifecycle('drain');

  app.post<{ Params: IdParams; Body: { kind: CommandKind; reason?: string; params?: Record<string, unknown> } }>(
    '/v1/nodes/:id/commands',
    { schema: { body: commandBody } },
    async (req, reply) => {
      if (!(await store.getNode(req.params.id))) return notFound(reply, req.params.id);
      const command = await nodes.issue(req.params.id, req.body.kind, req.body.reason, req.body.params);
      return reply.code(201).send({ command });
    },
  );

  app.get('/v1/fleet', async (_req, reply) => {
    if (!control) return noLoop(reply);
    return { status: control.fleet() ?? null, breakers: await store.breakers() };
  });

  app.get('/v1/facts', async (_req, reply) => {
    if (!control?.facts) return noLoop(reply);
    const f = control.facts();
    if (!f) return reply.code(503).send({ error: { code: 'facts.unavailable', message: 'no reconcile has judged the fleet yet; try again after the first one' } });
    return factsDocument(f.facts, f.computedAt, f.desiredCommit);
  });

  app.post<{ Querystring: { wait?: string } }>('/v1/reconcile', async (req, reply) => {
    if (!control) return noLoop(reply);
    const wait = req.query.wait === 'true' || req.query.wait === '1';
    const result = await control.reconcile(wait);
    return reply.code(wait ? 200 : 202).send(wait ? { reconcile: result ?? null } : { queued: true });
  });

  app.get('/v1/breakers', async () => ({ breakers: await store.breakers() }));

  app.post<{ Params: { pool: string } }>('/v1/pools/:pool/breaker/reset', async (req, reply) => {
    if (!control) return noLoop(reply);
    return { pool: req.params.pool, breaker: await control.resetBreaker(req.params.pool) };
  });
}
