import { describe, expect, it } from 'vitest';
import { fakeCommit, largePlan, mixedPlan, scaleUpPlan } from '../plan/fixtures.js';
import { planDigest } from '../plan/index.js';
import { formatDriftMarker, formatPlanMarker, normalizeDir, parsePlanMarker, planMarkerFor, readMarker, reviewDigest } from './marker.js';

describe('plan markers', () => {
  it('round-trip through a comment body, whatever the directory is called', () => {
    const plan = mixedPlan();
    for (const dir of ['.', './fleet/', 'infra/gpu fleet', 'a-->b', 'x=y&z']) {
      const marker = planMarkerFor(plan, dir);
      const line = formatPlanMarker(marker);
      expect(line).toMatch(/^<!-- navarch-plan [^\n]* -->$/);
      expect(line.slice(4, -3)).not.toContain('-->');
      expect(parsePlanMarker(`${line}\n### navarch plan\n…`)).toEqual(marker);
    }
    expect(formatPlanMarker(planMarkerFor(scaleUpPlan(), 'fleet'))).toMatch(
      /^<!-- navarch-plan dir=fleet fleet=demo plan=sha256:[0-9a-f]{64} format=2 summary=2\/0\/0 desired=[0-9a-f]{16} observed=[0-9a-f]{16} -->$/,
    );
  });

  it('reads a marker without a plan, and nothing from text that is not one', () => {
    const none = formatPlanMarker({ dir: 'fleet', fleet: undefined, plan: undefined, format: undefined, summary: undefined, desired: undefined, observed: undefined });
    expect(none).toBe('<!-- navarch-plan dir=fleet plan=none -->');
    expect(parsePlanMarker(none)).toEqual({ dir: 'fleet', fleet: undefined, plan: undefined, format: undefined, summary: undefined, desired: undefined, observed: undefined });
    expect(parsePlanMarker('<!-- navarch-plan dir=. plan=sha256:beef -->')?.plan).toBeUndefined();
    for (const body of [undefined, null, '', 'lgtm', '<!-- navarch-plan -->', '<!-- navarch-drift dir=. -->']) expect(parsePlanMarker(body)).toBeUndefined();
    expect(readMarker(formatDriftMarker('./infra/', 'research'), 'navarch-drift')).toEqual({ dir: 'infra', fleet: 'research' });
  });

  it('normalises directories the way a workflow may spell them', () => {
    expect(['', '.', './', 'fleet/', './fleet', 'fleet//gpus/', 'fleet\\gpus'].map(normalizeDir)).toEqual(['.', '.', '.', 'fleet', 'fleet', 'fleet/gpus', 'fleet/gpus']);
  });
});

describe('reviewDigest', () => {
  it('ignores the commit and the time of planning, and nothing the plan decides', () => {
    const pr = { ...scaleUpPlan(), desired: { ...scaleUpPlan().desired, commit: null } };
    const merged = { ...scaleUpPlan(), createdAt: '2031-01-01T00:00:00.000Z', desired: { ...scaleUpPlan().desired, commit: fakeCommit('merge') } };
    expect(planDigest(merged)).not.toBe(planDigest(pr));
    expect(reviewDigest(merged)).toBe(reviewDigest(pr));
    expect(reviewDigest({ ...merged, actions: merged.actions.slice(1) })).not.toBe(reviewDigest(pr));
    expect(reviewDigest({ ...merged, observed: { digest: 'sha256:other' } })).not.toBe(reviewDigest(pr));
    expect(reviewDigest(largePlan(50, 500))).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
