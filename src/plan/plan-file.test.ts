import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOf, NavarchError, StalePlanError } from '../model/index.js';
import type { Plan } from '../model/index.js';
import { fakeCommit, FIXTURES, mixedPlan } from './fixtures.js';
import { checkStale, loadPlan, parsePlan, planDigest, savePlan } from './plan-file.js';
import { renderJson } from './render-json.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-plan-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Saves `plan`, lets `edit` change the JSON text, and returns the error loading it raises. */
async function loadError(edit: (text: string) => string, plan: Plan = mixedPlan()): Promise<NavarchError> {
  const path = join(dir, 'plan.json');
  await savePlan(path, plan);
  await writeFile(path, edit(await readFile(path, 'utf8')));
  const err = await loadPlan(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NavarchError);
  expect((err as NavarchError).code).toBe('plan.invalid');
  expect((err as NavarchError).message).toContain(path);
  return err as NavarchError;
}

/** Edits the JSON document of the saved plan. */
function editDoc(change: (doc: Record<string, unknown> & { actions: Array<Record<string, unknown>> }) => void) {
  return (text: string): string => {
    const doc = JSON.parse(text) as Record<string, unknown> & { actions: Array<Record<string, unknown>> };
    change(doc);
    return JSON.stringify(doc);
  };
}

describe('savePlan / loadPlan', () => {
  it.each(Object.entries(FIXTURES))('%s: round-trips to an equal plan and the same bytes', async (_name, make) => {
    const plan = make();
    const path = join(dir, 'nested', 'deeper', 'plan.json');
    await savePlan(path, plan);
    expect(await readFile(path, 'utf8')).toBe(renderJson(plan));
    const loaded = await loadPlan(path);
    expect(loaded).toEqual(plan);
    expect(renderJson(loaded)).toBe(renderJson(plan));
    expect(planDigest(loaded)).toBe(planDigest(plan));
  });

  it('gives back every key the Plan type promises, even those JSON leaves out', async () => {
    const path = join(dir, 'plan.json');
    await savePlan(path, mixedPlan());
    const [create, destroy] = (await loadPlan(path)).actions;
    expect(create && 'existing' in create && 'order' in create && 'labels' in create).toBe(true);
    expect(destroy?.existing && 'zone' in destroy.existing).toBe(true);
  });

  it('overwrites an existing plan file', async () => {
    const path = join(dir, 'plan.json');
    await savePlan(path, mixedPlan());
    const other = mixedPlan();
    other.fleet = 'other';
    await savePlan(path, other);
    expect((await loadPlan(path)).fleet).toBe('other');
  });

  it('names a missing file', async () => {
    const path = join(dir, 'missing.json');
    await expect(loadPlan(path)).rejects.toThrow(`Plan file ${path} cannot be read (ENOENT)`);
  });

  it('rejects a truncated file', async () => {
    const err = await loadError((text) => text.slice(0, text.length / 2));
    expect(err.message).toMatch(/is not valid JSON, perhaps truncated/);
  });

  it('rejects a plan of another format version, naming both versions', async () => {
    const err = await loadError(editDoc((d) => (d['format_version'] = 3)));
    expect(err.message).toContain('has plan format version 3, but this navarch reads format version 2');
  });

  it('rejects a plan saved before the upgrade to snake_case keys (format version 1), naming both versions', async () => {
    // What `navarch plan --out` wrote before: the model's own camelCase keys, formatVersion 1.
    const legacy = (): string => JSON.stringify({ ...mixedPlan(), formatVersion: 1 });
    const err = await loadError(legacy);
    expect(err.message).toContain('has plan format version 1, but this navarch reads format version 2; run navarch plan again with this version');
  });

  it('rejects JSON that is not a plan', async () => {
    expect((await loadError(() => '[1, 2]')).message).toContain('is not a navarch plan');
    expect((await loadError(() => '{"fleet": "x"}')).message).toContain('has no format_version');
  });

  it.each([
    ['an unknown member', editDoc((d) => (d['approvedBy'] = 'me')), '(the document) has an unexpected member "approvedBy"'],
    ['an edited action kind', editDoc((d) => (d.actions[1]!['kind'] = 'keep')), '/actions/1/kind must be one of "create", "destroy", "replace", "update"'],
    ['a removed instance', editDoc((d) => delete d.actions[1]!['existing']), "/actions/1 must have required property 'existing'"],
    ['a negative cost', editDoc((d) => ((d['cost'] as Record<string, number>)['after'] = -1)), '/cost/after must be >= 0'],
  ])('rejects %s, naming the first schema problem', async (_name, edit, problem) => {
    const err = await loadError(edit);
    expect(err.message).toContain(`does not match the plan schema: ${problem}`);
  });

  it('rejects a plan whose summary no longer matches its actions', async () => {
    const err = await loadError(editDoc((d) => d.actions.splice(1, 1)));
    expect(err.message).toContain(
      'contradicts itself: its summary says 2 to add, 1 to change, 2 to destroy, but its actions add 2, change 1, destroy 1',
    );
  });

  it('rejects repeated action ids', async () => {
    const err = await loadError(editDoc((d) => (d.actions[1]!['id'] = d.actions[0]!['id'])));
    expect(err.message).toContain('action id "create:train-3" appears twice');
  });

  it('parses a document held in memory with the same checks', () => {
    expect(parsePlan(renderJson(mixedPlan()), 'artifact plan.json')).toEqual(mixedPlan());
    expect(() => parsePlan('{', 'stdin')).toThrow(/^Plan file stdin is not valid JSON/);
  });
});

describe('planDigest', () => {
  it('ignores when the plan was made, and nothing else', () => {
    const a = mixedPlan();
    const b = mixedPlan();
    b.createdAt = '2030-01-01T00:00:00.000Z';
    expect(planDigest(b)).toBe(planDigest(a));
    expect(planDigest(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
    b.actions.pop();
    expect(planDigest(b)).not.toBe(planDigest(a));
    const c = mixedPlan();
    c.cost.after += 0.01;
    expect(planDigest(c)).not.toBe(planDigest(a));
  });
});

describe('checkStale', () => {
  const plan = mixedPlan();
  const same = { desiredDigest: plan.desired.digest, desiredCommit: plan.desired.commit, observedDigest: plan.observed.digest };
  const newCommit = fakeCommit('next');
  const staleError = (current: typeof same): StalePlanError => {
    try {
      checkStale(plan, current);
    } catch (err) {
      expect(err).toBeInstanceOf(StalePlanError);
      expect((err as StalePlanError).code).toBe('plan.stale');
      return err as StalePlanError;
    }
    throw new Error('expected a stale plan');
  };

  it('accepts a plan computed from the current state', () => {
    expect(() => checkStale(plan, same)).not.toThrow();
  });

  it('accepts a new commit that leaves the desired state unchanged', () => {
    expect(() => checkStale(plan, { ...same, desiredCommit: newCommit })).not.toThrow();
  });

  it('names the commits when the desired state changed', () => {
    const err = staleError({ ...same, desiredDigest: digestOf('desired-2'), desiredCommit: newCommit });
    expect(err.message).toBe(
      `Saved plan is stale: the desired state changed (commit ${plan.desired.commit?.slice(0, 7)} → ${newCommit.slice(0, 7)}) since it was planned; run navarch plan again and apply the new plan.`,
    );
    expect(err.details).toMatchObject({ desiredChanged: true, observedChanged: false });
  });

  it('falls back to short digests when a commit is unknown', () => {
    const err = staleError({ ...same, desiredDigest: digestOf('desired-2'), desiredCommit: null });
    const from = plan.desired.digest.slice(7, 19);
    const to = digestOf('desired-2').slice(7, 19);
    expect(err.message).toBe(
      `Saved plan is stale: the desired state changed (digest ${from} → ${to}) since it was planned; run navarch plan again and apply the new plan.`,
    );
  });

  it('says when the observed fleet changed', () => {
    const err = staleError({ ...same, observedDigest: digestOf('observed-2') });
    expect(err.message).toBe(
      `Saved plan is stale: the observed fleet changed (digest ${plan.observed.digest.slice(7, 19)} → ${digestOf('observed-2').slice(7, 19)}) since it was planned; run navarch plan again and apply the new plan.`,
    );
    expect(err.details).toMatchObject({ desiredChanged: false, observedChanged: true });
  });

  it('says when both changed', () => {
    const err = staleError({ desiredDigest: digestOf('d2'), desiredCommit: newCommit, observedDigest: digestOf('o2') });
    expect(err.message).toMatch(
      /^Saved plan is stale: the desired state changed \(commit [0-9a-f]{7} → [0-9a-f]{7}\) and the observed fleet changed \(digest [0-9a-f]{12} → [0-9a-f]{12}\) since it was planned; run navarch plan again/,
    );
  });
});
