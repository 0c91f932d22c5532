import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret, type Diagnostic } from '../model/index.js';
import { largePlan, mixedPlan, noopPlan } from '../plan/fixtures.js';
import { COMMENT_BUDGET, driftIssueBody, errorCommentBody, GITHUB_BODY_LIMIT, planCommentBody, planSummaryBody } from './bodies.js';
import { parsePlanMarker, planMarkerFor } from './marker.js';

afterEach(() => clearSecrets());

const ctx = { dir: 'fleet', commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', runUrl: 'https://github.com/acme/fleet/actions/runs/1' };

describe('GitHub bodies', () => {
  it('head the comment with the plan marker, and end it with where and when it was planned', () => {
    const body = planCommentBody(mixedPlan(), ctx);
    expect(parsePlanMarker(body)).toEqual(planMarkerFor(mixedPlan(), 'fleet'));
    expect(body).toContain('### navarch plan for fleet `demo` in `fleet/`');
    expect(body.trimEnd().split('\n').at(-1)).toBe('<sub>Planned at a1b2c3d · [workflow run](https://github.com/acme/fleet/actions/runs/1)</sub>');
    expect(planCommentBody(noopPlan(), ctx)).toContain('**No changes.**');
  });

  it('stay under the budget even when redaction lengthens a huge plan', () => {
    const plan = largePlan(200, 5000);
    const secret = plan.actions[0]?.node ?? '';
    registerSecret(secret); // short, repeated: every occurrence grows by "[REDACTED]"
    const body = planCommentBody(plan, ctx);
    expect(body.length).toBeLessThanOrEqual(COMMENT_BUDGET);
    expect(body).not.toContain(`${secret} `);
    expect(body).toContain('[REDACTED]');
    expect(body).toMatch(/actions not shown\*\*: .*The full plan is in the \[job summary\]\(https:\/\/github\.com\/acme\/fleet\/actions\/runs\/1\)/);
    const summary = planSummaryBody(plan, ctx);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1024 * 1024);
    expect(summary).not.toContain('not shown');
    expect(driftIssueBody(plan, ctx).length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
  });

  it('list every configuration error at its place in the repository, within the budget', () => {
    const d = (i: number): Diagnostic => ({ file: `pools/p${i}.yaml`, line: i, column: 3, path: `/pools/p${i}/min_node`, message: 'unknown key `min_node`; did you mean `min_nodes`?' });
    const few = errorCommentBody({ diagnostics: [d(7)] }, ctx);
    expect(parsePlanMarker(few)).toMatchObject({ dir: 'fleet', plan: undefined });
    expect(few).toContain('**The configuration is invalid: 1 error.**');
    expect(few).toContain('- fleet/pools/p7.yaml:7:3: unknown key \\`min\\_node\\`; did you mean \\`min\\_nodes\\`? (at /pools/p7/min\\_node)');
    const many = errorCommentBody({ diagnostics: Array.from({ length: 5000 }, (_, i) => d(i + 1)) }, ctx);
    expect(many.length).toBeLessThanOrEqual(COMMENT_BUDGET);
    expect(many).toMatch(/- … and \d+ more\n/);
    expect(errorCommentBody({ message: 'provider "aws" refused: ```boom```' }, ctx)).toContain("```\nprovider \"aws\" refused: '''boom'''\n```");
  });
});
