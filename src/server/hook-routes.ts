/**
 * `POST /v1/hooks/git`: a git host tells of a push, and the control plane reconciles at once
 * instead of at the next interval. Authenticated by the admin token or by the host's signature of
 * the body (checked here, over the exact bytes received, before anything else happens).
 */
import type { FastifyInstance } from 'fastify';
import type { ControlSurface } from './admin-routes.js';
import { bearer, SIGNATURE_HEADER, type AuthConfig } from './auth.js';
import { isPushEvent, pushNotice, validSignature, webhookEvent } from './webhook.js';

/** Push payloads list the commits pushed; a big merge can run to a few megabytes. */
const HOOK_BODY_LIMIT = 5 * 1024 * 1024;

export function hookRoutes(app: FastifyInstance, auth: AuthConfig, control: ControlSurface | undefined): void {
  void app.register(async (scope) => {
    // The signature covers the bytes as sent, so this route keeps the body raw, whatever its type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: HOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post('/v1/hooks/git', { config: { auth: 'webhook' }, bodyLimit: HOOK_BODY_LIMIT }, async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      // Without a bearer token (which the auth hook has checked) the request got here on its signature header alone.
      const secret = auth.webhookSecret;
      if (bearer(req) === undefined && (secret === undefined || !validSignature(secret, body, req.headers[SIGNATURE_HEADER]))) {
        return reply.code(401).send({ error: { code: 'auth.signature', message: `${SIGNATURE_HEADER} does not match the body: check that the webhook's secret is NAVARCH_WEBHOOK_SECRET` } });
      }
      const event = webhookEvent(req.headers);
      if (event === 'ping') return { pong: true };
      if (!control?.pushed) return reply.code(503).send({ error: { code: 'control.unavailable', message: 'this server runs without a reconcile loop' } });
      if (!isPushEvent(event)) return reply.code(202).send({ queued: false, reason: `${event ?? 'the'} event is not a push` });
      return reply.code(202).send(control.pushed(pushNotice(body, req.headers['content-type'])));
    });
  });
}
