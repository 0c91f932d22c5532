/**
 * JSON Schema validation of config files, with every ajv error turned into a diagnostic at the
 * YAML node it concerns and a message that says what was expected.
 */
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import navarchSchema from '../../schemas/navarch.schema.json' with { type: 'json' };
import poolSchema from '../../schemas/pool.schema.json' with { type: 'json' };
import jobSchema from '../../schemas/job.schema.json' with { type: 'json' };
import type { Diagnostic } from '../model/index.js';
import { splitPointer, type Scope } from './scope.js';
import { didYouMean, quoteList } from './suggest.js';

/** The schemas a file can be checked against. */
export type SchemaName = 'navarch' | 'pool' | 'job';

/** The schema documents themselves (for editors, docs and tests). */
export const SCHEMAS: Readonly<Record<SchemaName, Record<string, unknown>>> = {
  navarch: navarchSchema,
  pool: poolSchema,
  job: jobSchema,
};

let validators: Promise<Readonly<Record<SchemaName, ValidateFunction>>> | undefined;

/**
 * The validators, compiled from the schemas at build time (scripts/build-validators.mjs), so
 * nothing is compiled at run time; loaded on first use, as only commands that read config need them.
 */
function loadValidators(): Promise<Readonly<Record<SchemaName, ValidateFunction>>> {
  validators ??= import('./validators.generated.js').then((m) => m as unknown as Readonly<Record<SchemaName, ValidateFunction>>);
  return validators;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

/** How a value reads in a message: its kind, and the value itself when short. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : `\`${value}\``;
  return `\`${String(value)}\``;
}

function typeOfValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return `the number \`${value}\``;
  if (typeof value === 'boolean') return `\`${value}\``;
  return `the string ${describeValue(value)}`;
}

/** "a duration (e.g. `90s`, `10m`)" from a schema's title and examples, when it has them. */
function shapeOf(schema: Record<string, unknown> | undefined): string | undefined {
  const title = schema?.['title'];
  if (typeof title !== 'string') return undefined;
  const examples = Array.isArray(schema?.['examples']) ? (schema['examples'] as unknown[]).map(String) : [];
  const article = /^[aeiou]/i.test(title) ? 'an' : 'a';
  return examples.length ? `${article} ${title} (e.g. ${quoteList(examples)})` : `${article} ${title}`;
}

interface Mapped {
  /** Where to point: the node at `segments` (its key with `key`). */
  segments: string[];
  key: boolean;
  message: string;
  /** The field the message is about, when it differs from where it points (a missing key). */
  field?: string[];
}

function mapError(e: ErrorObject): Mapped | undefined {
  const segments = splitPointer(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  const data = e.data;
  if (e.keyword === 'propertyNames') return undefined; // its inner error names the key
  if (e.propertyName !== undefined) {
    const shape = shapeOf(parent);
    const expected = shape ? `expected ${shape}` : e.message ?? 'invalid';
    return { segments: [...segments, e.propertyName], key: true, message: `invalid key \`${e.propertyName}\`: ${expected}` };
  }
  switch (e.keyword) {
    case 'if':
      return undefined; // the failing `then` branch reports the real problem
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys((parent?.['properties'] as Record<string, unknown> | undefined) ?? {});
      const hint = didYouMean(key, allowed) || (allowed.length ? ` (expected one of ${quoteList(allowed, 20)})` : '');
      return { segments: [...segments, key], key: true, message: `unknown key \`${key}\`${hint}` };
    }
    case 'false schema': {
      const last = segments[segments.length - 1] ?? '';
      const message = last === 'name' && segments[0] === 'pools'
        ? '`name` is not allowed in an inline pool: the key under `pools:` is its name'
        : `\`${last}\` is not allowed here`;
      return { segments, key: true, message };
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      return { segments, key: true, message: `missing required key \`${missing}\``, field: [...segments, missing] };
    }
    case 'type': {
      const types = String(params['type']).split(',').map((t) => TYPE_WORDS[t] ?? t);
      return { segments, key: false, message: `expected ${types.join(' or ')}, got ${typeOfValue(data)}` };
    }
    case 'enum': {
      const allowed = ((params['allowedValues'] as unknown[] | undefined) ?? []).map(String);
      const hint = typeof data === 'string' ? didYouMean(data, allowed) : '';
      return { segments, key: false, message: `expected one of ${quoteList(allowed)}, got ${describeValue(data)}${hint}` };
    }
    case 'const':
      return { segments, key: false, message: `expected \`${String(params['allowedValue'])}\`, got ${describeValue(data)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const what = parent?.['type'] === 'integer' ? 'an integer' : 'a number';
      return { segments, key: false, message: `expected ${what} ${String(params['comparison'])} ${String(params['limit'])}, got ${describeValue(data)}` };
    }
    case 'minLength':
      return { segments, key: false, message: Number(params['limit']) === 1 ? 'expected a non-empty string' : `expected at least ${String(params['limit'])} characters` };
    case 'maxLength':
      return { segments, key: false, message: `expected at most ${String(params['limit'])} characters` };
    case 'minItems':
      return { segments, key: false, message: `expected at least ${String(params['limit'])} item${Number(params['limit']) === 1 ? '' : 's'}` };
    case 'maxItems':
      return { segments, key: false, message: `expected at most ${String(params['limit'])} items` };
    case 'uniqueItems': {
      const i = Math.max(Number(params['i']), Number(params['j']));
      const item = Array.isArray(data) ? data[i] : undefined;
      return { segments: [...segments, String(i)], key: false, message: `${describeValue(item)} is listed twice` };
    }
    case 'pattern': {
      const shape = shapeOf(parent);
      const expected = shape ?? `a value matching /${String(params['pattern'])}/`;
      return { segments, key: false, message: `expected ${expected}, got ${describeValue(data)}` };
    }
    case 'format': {
      const format = String(params['format']);
      return { segments, key: false, message: `expected ${format === 'uri' ? 'a URL' : `a ${format}`}, got ${describeValue(data)}` };
    }
    default:
      return { segments, key: false, message: e.message ?? `invalid (${e.keyword})` };
  }
}

/**
 * Validates `value` (the object at `scope`) against a schema. `ignoreUnknownKey` lets a caller
 * that reports a key more precisely (a secret under a provider) silence the generic message.
 */
export async function schemaDiagnostics(
  name: SchemaName,
  value: unknown,
  scope: Scope,
  ignoreUnknownKey: (segments: readonly string[]) => boolean = () => false,
): Promise<Diagnostic[]> {
  const validate = (await loadValidators())[name];
  if (validate(value)) return [];
  const out: Diagnostic[] = [];
  for (const e of validate.errors ?? []) {
    const m = mapError(e);
    if (!m) continue;
    if (e.keyword === 'additionalProperties' && ignoreUnknownKey(m.segments)) continue;
    const d = scope.diag(m.segments, m.message, { key: m.key });
    out.push(m.field ? { ...d, path: scope.pointer(m.field) } : d);
  }
  return out;
}
