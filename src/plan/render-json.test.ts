import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import schema from '../../schemas/plan.schema.json' with { type: 'json' };
import { sortDeep } from '../model/index.js';
import type { Plan } from '../model/index.js';
import { FIXTURES, largePlan, mixedPlan, multiCloudCreatePlan } from './fixtures.js';
import { renderJson } from './render-json.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv, ['date-time']);
const validate = ajv.compile(schema);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests below edit documents as freely as a person would
type Doc = Record<string, any>;

/** The plan as its JSON document (what a file holds), for hand-editing in tests. */
function doc(plan: Plan): Doc {
  return JSON.parse(renderJson(plan)) as Doc;
}

/** Rebuilds every object with its keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe('renderJson', () => {
  it('is byte-identical for equal plans whose keys were built in another order', () => {
    const plan = mixedPlan();
    const reordered = reverseKeys(plan) as Plan;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(plan));
    expect(renderJson(reordered)).toBe(renderJson(plan));
  });

  it('sorts keys at every depth, indents by two spaces and ends with a newline', () => {
    const text = renderJson(multiCloudCreatePlan());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "actions": [\n    {\n      "cost_delta": 98.32,');
    expect(text).toBe(`${JSON.stringify(sortDeep(JSON.parse(text)), null, 2)}\n`);
  });

  it('leaves out undefined members and keeps a null commit', () => {
    const plan = mixedPlan();
    plan.desired.commit = null;
    const d = doc(plan);
    expect(d['desired']).toEqual({ commit: null, digest: plan.desired.digest });
    const create = (d['actions'] as Array<Record<string, unknown>>)[0];
    expect(create).not.toHaveProperty('existing');
    expect(create).not.toHaveProperty('order');
    expect(create).not.toHaveProperty('labels');
  });
});

describe('schemas/plan.schema.json', () => {
  it.each([...Object.entries(FIXTURES), ['large', () => largePlan(20, 100)] as const])('%s validates', (_name, make) => {
    const ok = validate(doc(make()));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  const broken: Array<[string, (d: Doc) => void]> = [
    ['an unknown top-level member', (d) => (d['extra'] = 1)],
    ['another format version', (d) => (d['format_version'] = 1)],
    ['a camelCase key, as format version 1 wrote', (d) => ((d['createdAt'] = d['created_at']), delete d['created_at'])],
    ['a missing summary', (d) => delete d['summary']],
    ['a missing action list', (d) => delete d['actions']],
    ['an unknown action kind', (d) => (d['actions'][0].kind = 'explode')],
    ['an unknown reason code', (d) => (d['actions'][0].reason.code = 'because')],
    ['an unknown pool change', (d) => (d['pools'][0].change = 'renamed')],
    ['a create without placements', (d) => (d['actions'][0].placements = [])],
    ['a destroy without its instance', (d) => delete d['actions'][1].existing],
    ['a replace without its order', (d) => delete d['actions'][2].order],
    ['an update without labels', (d) => delete d['actions'][3].labels],
    ['an unknown member of a node', (d) => (d['actions'][1].existing.note = 'hand-edited')],
    ['a label that is not a string', (d) => (d['actions'][3].labels.after.team = 7)],
    ['a short commit', (d) => (d['desired'].commit = 'abc1234')],
    ['a digest that is not sha256', (d) => (d['observed'].digest = 'md5:0123')],
    ['a creation time that is not a date', (d) => (d['created_at'] = 'yesterday')],
    ['a negative price', (d) => (d['actions'][0].placements[0].price_per_hour = -1)],
    ['a fractional count', (d) => (d['summary'].add = 1.5)],
    ['a cost written as a string', (d) => (d['cost'].after = '119.60')],
    ['an unknown provider type', (d) => (d['actions'][0].placements[0].provider_type = 'azure')],
    ['a patch operation without its value', (d) => delete d['pools'][1].patch[1].value],
    ['an unknown guard rule', (d) => (d['guards'] = [{ rule: 'x', pool: 'p', message: 'm', destroying: 1, total: 1, limit_percent: 50 }])],
    ['a truncated action list', (d) => (d['actions'] = d['actions'].slice(0, 1).map((a: Record<string, unknown>) => ({ id: a['id'] })))],
  ];

  it.each(broken)('rejects %s', (_name, edit) => {
    const d = doc(mixedPlan());
    expect(validate(d)).toBe(true);
    edit(d);
    expect(validate(d)).toBe(false);
  });
});
