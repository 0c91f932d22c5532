/** The node agent's API: register, heartbeat, health, commands. Bodies are schema-checked before a handler runs. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CommandAck, HealthReport, HeartbeatRequest, RegisterRequest } from '../model/index.js';
import type { NodeService } from './nodes.js';
import { AGENT_SCHEMAS } from './schemas.js';
import { wireCommand } from './store/index.js';

type IdParams = { id: string };

const node = { config: { auth: 'node' } } as const;

function unregistered(reply: FastifyReply, id: string): FastifyReply {
  return reply.code(404).send({ error: { code: 'node.unregistered', message: `node ${id} is not registered; register it first (POST /v1/nodes/${id}/register)` } });
}

export function agentRoutes(app: FastifyInstance, nodes: NodeService): void {
  app.post<{ Params: IdParams; Body: RegisterRequest }>('/v1/nodes/:id/register', { ...node, schema: { body: AGENT_SCHEMAS.register } }, async (req) =>
    nodes.register(req.params.id, req.body),
  );

  app.post<{ Params: IdParams; Body: HeartbeatRequest }>('/v1/nodes/:id/heartbeat', { ...node, schema: { body: AGENT_SCHEMAS.heartbeat } }, async (req, reply) => {
    const res = await nodes.heartbeat(req.params.id, req.body);
    return res ?? unregistered(reply, req.params.id);
  });

  app.post<{ Params: IdParams; Body: HealthReport }>('/v1/nodes/:id/health', { ...node, schema: { body: AGENT_SCHEMAS.health } }, async (req, reply) => {
    const res = await nodes.report(req.params.id, req.body);
    return res ?? unregistered(reply, req.params.id);
  });

  app.get<{ Params: IdParams }>('/v1/nodes/:id/commands', node, async (req) => ({
    commands: (await nodes.pendingCommands(req.params.id)).map(wireCommand),
  }));

  app.post<{ Params: IdParams & { commandId: string }; Body: CommandAck }>(
    '/v1/nodes/:id/commands/:commandId/ack',
    { ...node, schema: { body: AGENT_SCHEMAS.ack } },
    async (req, reply) => {
      const outcome = await nodes.ack(req.params.id, req.params.commandId, req.body);
      if (outcome === 'not-found') {
        return reply.code(404).send({ error: { code: 'command.not-found', message: `node ${req.params.id} has no command ${req.params.commandId}` } });
      }
      return { acknowledged: true, already: outcome === 'already-acknowledged' };
    },
  );
}
