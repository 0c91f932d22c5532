import { describe, expect, it } from 'vitest';
import { digestOf, type Plan } from '../model/index.js';
import { buildPlan, cost, FIXTURES, H100X8, labelUpdatePlan, nodeRef, poolPlan, updateAction } from './fixtures.js';
import { planDigest } from './plan-file.js';
import { planFromDocument, planToDocument } from './plan-document.js';
import { renderJson } from './render-json.js';

/** Every key of `value`, with its path, except below the members that hold data. */
function keys(value: unknown, path = ''): string[] {
  if (/\.labels\.(before|after)$|\.patch\[\]\.value$/.test(path)) return [];
  if (Array.isArray(value)) return value.flatMap((v) => keys(v, `${path}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keys(v, `${path}.${k}`)]);
}

/** Label keys and a patch value that are camelCase: data, which must come through exactly as written. */
function camelLabelPlan(): Plan {
  const before = { costCenter: 'a', team: 'x' };
  const after = { costCenter: 'b', team: 'x' };
  return buildPlan({
    actions: [updateAction(nodeRef('train', 0), before, after)],
    pools: [poolPlan('train', { change: 'update', patch: [{ op: 'replace', path: '/labels', value: { costCenter: 'b', team: 'x' } }] })],
    cost: cost(2 * H100X8, 2 * H100X8),
  });
}

describe('the plan document', () => {
  it.each(Object.entries(FIXTURES))('%s: has snake_case keys, and reads back to the same plan', (_name, make) => {
    const plan = make();
    const doc = planToDocument(plan);
    const bad = keys(doc).filter((k) => !/^[a-z][a-z0-9_]*$/.test(k));
    expect(bad).toEqual([]);
    expect(doc.format_version).toBe(plan.formatVersion);
    expect(planFromDocument(JSON.parse(JSON.stringify(doc)) as typeof doc)).toEqual(JSON.parse(JSON.stringify(plan)));
  });

  it('keeps label keys and patch values exactly as written', () => {
    const text = renderJson(camelLabelPlan());
    expect(text).toContain('"costCenter": "b"');
    expect(text).not.toContain('cost_center');
    expect(text).toContain('"cost_delta"');
    const back = planFromDocument(JSON.parse(text) as ReturnType<typeof planToDocument>);
    expect(back.actions[0]?.labels).toEqual({ before: { costCenter: 'a', team: 'x' }, after: { costCenter: 'b', team: 'x' } });
    expect(back.pools[0]?.patch[0]?.value).toEqual({ costCenter: 'b', team: 'x' });
  });

  it('is what the digest is taken over, so a new format version gives a new digest', () => {
    const plan = labelUpdatePlan();
    const v1 = digestOf({ ...plan, formatVersion: 1, createdAt: undefined });
    expect(planDigest(plan)).not.toBe(v1);
    expect(planDigest(plan)).toBe(digestOf({ ...planToDocument(plan), created_at: undefined }));
  });
});
