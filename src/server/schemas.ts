/**
 * The agent API's JSON Schemas (schemas/agent-*.schema.json), compiled once with the same ajv
 * dialect as every other schema of navarch (draft 2020-12, formats, discriminated event kinds).
 * Strict: nothing is coerced or removed, so what is stored is what the agent sent.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import ack from '../../schemas/agent-ack.schema.json' with { type: 'json' };
import health from '../../schemas/agent-health.schema.json' with { type: 'json' };
import heartbeat from '../../schemas/agent-heartbeat.schema.json' with { type: 'json' };
import register from '../../schemas/agent-register.schema.json' with { type: 'json' };

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export const AGENT_SCHEMAS = { register, heartbeat, health, ack } as const;

/** The health event kinds the agent API knows, for error messages. */
export const EVENT_KINDS: readonly string[] = health.$defs.event.oneOf.map((e) => e.properties.kind.const);

let ajv: Ajv2020 | undefined;

/** The validator fastify uses for every route schema. */
export function validatorFor(schema: object): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: false, strict: false, discriminator: true, coerceTypes: false, removeAdditional: false, useDefaults: false });
    addFormats(ajv, ['date-time']);
  }
  const id = (schema as { $id?: unknown }).$id;
  const known = typeof id === 'string' ? ajv.getSchema(id) : undefined;
  return known ?? ajv.compile(schema);
}
