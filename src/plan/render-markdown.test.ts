import { describe, expect, it } from 'vitest';
import { buildPlan, cost, createAction, FIXTURES, largePlan, mixedPlan, noopPlan, poolPlan, poolRemovalPlan, scaleUpPlan } from './fixtures.js';
import { renderMarkdown } from './render-markdown.js';
import { renderText } from './render-text.js';

/** Fences open and close in pairs, and every `<details>` is closed. */
function expectWellFormed(md: string): void {
  let open: string | undefined;
  for (const line of md.split('\n')) {
    const fence = /^(`{3,})/.exec(line)?.[1];
    if (!fence) continue;
    if (open === undefined) open = fence;
    else if (line === open) open = undefined;
  }
  expect(open).toBeUndefined();
  expect(md.split('<details>').length).toBe(md.split('</details>').length);
}

describe('renderMarkdown', () => {
  it('renders a small plan in full, uncollapsed', () => {
    expect(renderMarkdown(scaleUpPlan(), { marker: '<!-- navarch-plan demo -->' })).toBe(
      [
        '<!-- navarch-plan demo -->',
        '',
        '### navarch plan for fleet `demo`',
        '',
        '**Plan: 2 to add, 0 to change, 0 to destroy.**',
        '',
        'Cost: \\$47.84/hr → \\$95.68/hr (+\\$47.84/hr): on-demand +\\$47.84/hr, spot +\\$0.00/hr',
        '',
        '| Pool | Nodes | + | ~ | - | \\$/hr before → after |',
        '| :--- | ---: | ---: | ---: | ---: | ---: |',
        '| `train` | 2 → 4 | 2 | 0 | 0 | \\$47.84 → \\$95.68 |',
        '',
        '```diff',
        'navarch will perform the following actions:',
        '',
        '  # pool "train": 2 → 4 nodes, $47.84/hr → $95.68/hr',
        '!   pool "train"',
        '!       min_nodes = 2 → 4',
        '+   train-2   f1.8xh100 on local local-1 (on-demand, $23.92/hr)',
        '      # pool has 2 of 4 nodes',
        '+   train-3   f1.8xh100 on local local-1 (on-demand, $23.92/hr)',
        '      # pool has 3 of 4 nodes',
        '',
        'Plan: 2 to add, 0 to change, 0 to destroy.',
        'Cost: $47.84/hr → $95.68/hr (+$47.84/hr): on-demand +$47.84/hr, spot +$0.00/hr',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('moves every change symbol to the first column for GitHub diff colouring', () => {
    const md = renderMarkdown(mixedPlan());
    expect(md).toContain('\n+   train-3   f1.8xh100');
    expect(md).toContain('\n-   train-1   f1.8xh100');
    expect(md).toContain('\n-/+ train-2 → train-5   f1.1xh100');
    expect(md).toContain('\n!   train-0   labels.team = "a" → "b"');
    expect(md).toContain('\n-   pool "prod"');
    // Comments, warnings and the summary stay context lines.
    expect(md).toContain('\n      # pool has 2 of 4 nodes');
    expect(md).toContain('\n  - pool "prod" is protected');
  });

  it('shows warnings and guard violations as GitHub alerts', () => {
    expect(renderMarkdown(mixedPlan())).toContain(
      '> [!WARNING]\n> **Warnings**\n>\n> - pool "prod" is protected: 2 nodes kept although the pool was removed\n',
    );
    const md = renderMarkdown(poolRemovalPlan());
    expect(md).toContain('> [!CAUTION]\n> **This plan needs `--allow-destroy`**');
    expect(md).toContain('> - pool "old": destroys 4 of 4 nodes (100%), more than the 50% allowed\n');
    expect(md).toContain('| `old` (removed) | 4 → 0 | 0 | 0 | 4 | \\$95.68 → \\$0.00 |');
  });

  it('says there are no changes without an empty listing', () => {
    const md = renderMarkdown(noopPlan(), { title: 'Plan for `prod`' });
    expect(md).toBe(
      ['### Plan for `prod`', '', '**No changes.** Your fleet matches the configuration.', '', 'Cost: \\$47.84/hr (on-demand \\$47.84/hr, spot \\$0.00/hr)', ''].join('\n'),
    );
  });

  it('collapses a listing longer than 40 lines', () => {
    const plan = largePlan(2, 30);
    const md = renderMarkdown(plan);
    expect(md).toContain('<details><summary>Full plan (30 actions)</summary>\n\n```diff\n');
    expect(md.endsWith('```\n\n</details>\n')).toBe(true);
    expectWellFormed(md);
    // Nothing cut: every line of the text plan is there.
    const text = renderText(plan, { color: false });
    expect(md.split('\n').filter((l) => l.startsWith('+ ')).length).toBe(text.split('\n').filter((l) => l.startsWith('  + ')).length);
  });

  it('stays within budget for 5,000 actions over 200 pools', () => {
    const plan = largePlan(200, 5000);
    const md = renderMarkdown(plan, { summaryPointer: '[the job summary](https://github.com/o/r/actions/runs/1)', marker: '<!-- navarch-plan x -->' });
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md.length).toBeGreaterThan(50_000);
    expect(md.startsWith('<!-- navarch-plan x -->\n')).toBe(true);
    expect(md).toContain('**Plan: 5000 to add, 0 to change, 0 to destroy.**');
    expectWellFormed(md);
    const shown = md.split('\n').filter((l) => /^\+ {3}pool-\d{3}-\d+ /.test(l)).length;
    expect(shown).toBeGreaterThan(100);
    expect(md).toContain(
      `**${(5000 - shown).toLocaleString('en-US')} of 5,000 actions not shown**: this comment is limited to 60,000 characters. The full plan is in [the job summary](https://github.com/o/r/actions/runs/1).\n`,
    );
    // The cut falls on a line boundary, just before the closing fence.
    expect(md).toMatch(/# pool has \d+ of 25 nodes\n```\n\n<\/details>\n\n\*\*/);
    expect(md).toContain('| … ');
  });

  it.each([65_536, 20_000, 5_000, 1_500, 400, 50])('never exceeds maxChars=%i', (maxChars) => {
    const md = renderMarkdown(largePlan(200, 5000), { maxChars });
    expect(md.length).toBeLessThanOrEqual(maxChars);
    if (maxChars >= 1_500) {
      expectWellFormed(md);
      expect(md).toContain('**Plan: 5000 to add, 0 to change, 0 to destroy.**');
      expect(md).toContain('Run `navarch plan` to see the full plan.');
    }
  });

  it('keeps many warnings and guard violations within their share', () => {
    const plan = largePlan(200, 400);
    plan.warnings = Array.from({ length: 2000 }, (_, i) => `provider p${i} was not observed`);
    plan.guards = Array.from({ length: 2000 }, (_, i) => ({
      rule: 'destroy-share' as const,
      pool: `pool-${i}`,
      message: '',
      destroying: 3,
      total: 4,
      limitPercent: 50,
    }));
    const md = renderMarkdown(plan, { maxChars: 30_000 });
    expect(md.length).toBeLessThanOrEqual(30_000);
    expect(md).toMatch(/> - … and 1,\d{3} more warnings\n/);
    expect(md).toMatch(/> - … and 1,\d{3} more pools over the limit\n/);
    expect(md).toContain('```diff');
    expectWellFormed(md);
  });

  it('fences a listing that itself contains backticks', () => {
    const plan = buildPlan({
      actions: [createAction('train', 'train-0', 'reason with ``` inside')],
      pools: [poolPlan('train', { nodesBefore: 0, nodesAfter: 1 })],
      cost: cost(0, 23.92),
    });
    const md = renderMarkdown(plan);
    expect(md).toContain('````diff\n');
    expect(md).toContain('reason with ``` inside\n');
    expectWellFormed(md);
  });

  it('escapes markdown in warnings', () => {
    const plan = noopPlan();
    plan.warnings = ['pool <b>x</b> costs $5 | *a*'];
    expect(renderMarkdown(plan)).toContain('> - pool \\<b\\>x\\</b\\> costs \\$5 \\| \\*a\\*\n');
  });

  it.each(Object.entries(FIXTURES))('%s: well-formed, with the summary line', (_name, make) => {
    const plan = make();
    const md = renderMarkdown(plan);
    expectWellFormed(md);
    if (plan.actions.length) expect(md).toContain(`**Plan: ${plan.summary.add} to add, ${plan.summary.change} to change, ${plan.summary.destroy} to destroy.**`);
    expect(md).not.toContain('\u001b');
  });
});
