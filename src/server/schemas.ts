/**
 * The agent API's JSON Schemas (schemas/agent-*.schema.json), compiled once with the same ajv
 * dialect as every other schema of navarch (draft 2020-12, formats, discriminated event kinds).
 * Strict: nothing is coerced or removed, so what is stored is what the agent sent. No number in a
 * body may be infinite: JSON.parse reads `1e400` as Infinity, which would be stored as null.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
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
const compiled = new WeakMap<object, ValidateFunction>();

/** The JSON pointer of the first number in `data` that is not finite, wherever it is (fields the schema does not know included). */
export function nonFinitePath(data: unknown): string | undefined {
  // Iterative: a deeply nested body must not overflow the stack.
  const stack: Array<[unknown, string]> = [[data, '']];
  while (stack.length > 0) {
    const [value, at] = stack.pop() as [unknown, string];
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return at;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${at}/${i}`]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i] as [string, unknown];
        stack.push([v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
      }
    }
  }
  return undefined;
}

/** The validator fastify uses for every route schema: the schema, then no infinite number anywhere. */
export function validatorFor(schema: object): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  if (!ajv) {
    // strictNumbers: a number field must be finite (ajv lets Infinity through `integer` otherwise).
    ajv = new Ajv2020({ allErrors: false, strict: false, strictNumbers: true, discriminator: true, coerceTypes: false, removeAdditional: false, useDefaults: false });
    addFormats(ajv, ['date-time']);
  }
  const id = (schema as { $id?: unknown }).$id;
  const inner = (typeof id === 'string' ? ajv.getSchema(id) : undefined) ?? ajv.compile(schema);
  const validate = ((data: unknown) => {
    if (!inner(data)) {
      validate.errors = inner.errors ?? null;
      return false;
    }
    const at = nonFinitePath(data);
    if (at === undefined) {
      validate.errors = null;
      return true;
    }
    const error: ErrorObject = { instancePath: at, schemaPath: '#', keyword: 'type', params: { type: 'number' }, message: 'must be a finite number' };
    validate.errors = [error];
    return false;
  }) as ValidateFunction;
  Object.assign(validate, { schema: inner.schema, schemaEnv: inner.schemaEnv });
  compiled.set(schema, validate);
  return validate;
}
