import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  cost,
  createAction,
  FIXTURES,
  labelUpdatePlan,
  mixedPlan,
  multiCloudCreatePlan,
  noopPlan,
  placement,
  poolPlan,
  poolRemovalPlan,
  protectedPoolPlan,
  replaceUnhealthyPlan,
  scaleUpPlan,
} from './fixtures.js';
import { formatDelta, formatMoney, renderText } from './render-text.js';

// Built from a string: a regular expression literal may not hold control characters.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`);
const ANSI_ALL = new RegExp(ANSI.source, 'g');
const plain = (plan: Parameters<typeof renderText>[0]) => renderText(plan, { color: false });

describe('renderText', () => {
  it('renders the documentation example: every kind in one pool, a protected pool, a warning', () => {
    expect(plain(mixedPlan())).toBe(
      [
        'navarch will perform the following actions:',
        '',
        '  # pool "prod" (removed, protected): 2 nodes, $47.84/hr',
        '  - pool "prod"',
        '',
        '  # pool "train": 3 nodes, $50.33/hr → $71.76/hr',
        '  ~ pool "train"',
        '      ~ labels.team = "a" → "b"',
        '  + train-3   f1.8xh100 on local local-1 (on-demand, $23.92/hr)',
        '      # pool has 2 of 4 nodes',
        '  - train-1   f1.8xh100 fake-000002 on local local-1 (on-demand, $23.92/hr)',
        '      # node is not part of the pool any more',
        '-/+ train-2 → train-5   f1.1xh100 → f1.8xh100 on local local-1 (on-demand, $2.49/hr → $23.92/hr, create before destroy)',
        '      # instance type changed: f1.1xh100 is no longer a placement of pool "train"',
        '  ~ train-0   labels.team = "a" → "b"',
        '',
        'Warnings:',
        '  - pool "prod" is protected: 2 nodes kept although the pool was removed',
        '',
        'Plan: 2 to add, 1 to change, 2 to destroy.',
        'Cost: $98.17/hr → $119.60/hr (+$21.43/hr): on-demand +$21.43/hr, spot +$0.00/hr',
        '',
      ].join('\n'),
    );
  });

  it('shows a scale-up with the old value of the changed field', () => {
    expect(plain(scaleUpPlan())).toBe(
      [
        'navarch will perform the following actions:',
        '',
        '  # pool "train": 2 → 4 nodes, $47.84/hr → $95.68/hr',
        '  ~ pool "train"',
        '      ~ min_nodes = 2 → 4',
        '  + train-2   f1.8xh100 on local local-1 (on-demand, $23.92/hr)',
        '      # pool has 2 of 4 nodes',
        '  + train-3   f1.8xh100 on local local-1 (on-demand, $23.92/hr)',
        '      # pool has 3 of 4 nodes',
        '',
        'Plan: 2 to add, 0 to change, 0 to destroy.',
        'Cost: $47.84/hr → $95.68/hr (+$47.84/hr): on-demand +$47.84/hr, spot +$0.00/hr',
        '',
      ].join('\n'),
    );
  });

  it('says there is nothing to do, with the current cost', () => {
    expect(plain(noopPlan())).toBe(
      ['No changes. Your fleet matches the configuration.', '', 'Cost: $47.84/hr (on-demand $47.84/hr, spot $0.00/hr)', ''].join('\n'),
    );
  });

  it('shows a protected pool kept without any action, and no summary line', () => {
    const text = plain(protectedPoolPlan());
    expect(text).toBe(
      [
        'No changes. Your fleet matches the configuration.',
        '',
        'Pool declarations changed, but no node needs to change:',
        '',
        '  # pool "prod" (removed, protected): 2 nodes, $47.84/hr',
        '  - pool "prod"',
        '',
        'Warnings:',
        '  - pool "prod" is protected: 2 nodes kept although the pool was removed',
        '',
        'Cost: $47.84/hr (on-demand $47.84/hr, spot $0.00/hr)',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('Plan:');
  });

  it('puts guard violations in an error block before the summary', () => {
    const text = plain(poolRemovalPlan());
    expect(text).toContain(
      [
        'Error: this plan needs --allow-destroy',
        '  - pool "old": destroys 4 of 4 nodes (100%), more than the 50% allowed',
        '',
        'Plan: 0 to add, 0 to change, 4 to destroy.',
      ].join('\n'),
    );
    expect(text).toContain('  # pool "old" (removed): 4 → 0 nodes, $95.68/hr → $0.00/hr\n  - pool "old"\n');
    expect(text.match(/^ {2}- old-\d {3}f1\.8xh100 fake-00000\d on local local-1/gm)).toHaveLength(4);
  });

  it('shows why a node is replaced, in which order', () => {
    expect(plain(replaceUnhealthyPlan())).toContain(
      [
        '-/+ train-1 → train-4   f1.8xh100 on local local-1 (on-demand, $23.92/hr, destroy before create)',
        '      # XID 79 on GPU 3 (0000:3b:00.0): GPU has fallen off the bus',
      ].join('\n'),
    );
  });

  it('shows label updates without a redundant reason line', () => {
    const text = plain(labelUpdatePlan());
    expect(text).toContain('  ~ train-0   labels.team = "a" → "b"\n  ~ train-1   labels.team = "a" → "b"\n\nPlan:');
    expect(text).not.toContain('pool labels changed');
  });

  it('lists added and removed labels', () => {
    const plan = labelUpdatePlan();
    const [first] = plan.actions;
    if (!first) throw new Error('fixture has actions');
    first.labels = { before: { team: 'a', old: 'x' }, after: { team: 'a', env: 'prod', 'app.kubernetes.io/name': 'web' } };
    expect(plain(plan)).toContain('  ~ train-0   +labels["app.kubernetes.io/name"] = "web", +labels.env = "prod", -labels.old = "x"\n');
  });

  it('shows the preferred placement and its fallbacks', () => {
    expect(plain(multiCloudCreatePlan())).toContain(
      [
        '  # pool "h100" (new): 0 → 1 nodes, $0.00/hr → $98.32/hr',
        '  + pool "h100"',
        '      + gpu   = "h100"',
        '      + gpus  = 8',
        '      + nodes = 1',
        '  + h100-0   p5.48xlarge on aws us-east-1 (on-demand, $98.32/hr) (+2 fallbacks: gcp us-central1 (a3-highgpu-8g), lambda us-east-1 (gpu_8x_h100_sxm5))',
        '      # pool has 0 of 1 nodes',
      ].join('\n'),
    );
  });

  it('shortens a long fallback list and marks unknown prices and spot', () => {
    const placements = [
      placement({ spot: true, pricePerHour: undefined }),
      placement({ region: 'local-2', spot: true }),
      placement({ provider: 'other', region: 'r1', spot: true }),
      placement({ provider: 'other', region: 'r2', spot: false }),
      placement({ provider: 'other', region: 'r3', spot: true }),
    ];
    const plan = buildPlan({
      actions: [createAction('train', 'train-0', 'pool has 0 of 1 nodes', placements)],
      pools: [poolPlan('train', { nodesBefore: 0, nodesAfter: 1, costBefore: 0, costAfter: 0 })],
      cost: cost(0, 0, { unpriced: 1 }),
    });
    const text = plain(plan);
    expect(text).toContain(
      '  + train-0   f1.8xh100 on local local-1 (spot, $?/hr) (+4 fallbacks: local local-2, other r1, other r2 (on-demand) and 1 more)\n',
    );
    expect(text).toContain('Cost: $0.00/hr → $0.00/hr (+$0.00/hr): on-demand +$0.00/hr, spot +$0.00/hr; 1 node has no known price (counted as $0.00)\n');
  });

  it('shows pool attributes as Terraform does: names for JSON pointers, values in HCL, the = aligned', () => {
    const plan = buildPlan({
      actions: [],
      pools: [
        poolPlan('infer', {
          change: 'create',
          patch: [
            { op: 'add', path: '/instance_type', value: 'f1.1xh100' },
            { op: 'add', path: '/labels', value: { team: 'serving', 'app.kubernetes.io/name': 'web' } },
            { op: 'add', path: '/health', value: { unhealthy_after: 2, auto_replace: true } },
            { op: 'add', path: '/regions', value: ['local-1', 'local-2'] },
            { op: 'test', path: '/candidates/0/region', value: 'local-1' },
            { op: 'replace', path: '/candidates/0/region', value: 'local-2' },
            { op: 'test', path: '/labels/old~1key', value: 'x' },
            { op: 'remove', path: '/labels/old~1key' },
          ],
        }),
      ],
      cost: cost(0, 0),
    });
    expect(plain(plan)).toContain(
      [
        '  + pool "infer"',
        '      + instance_type        = "f1.1xh100"',
        '      + labels               = {team = "serving", "app.kubernetes.io/name" = "web"}',
        '      + health               = {unhealthy_after = 2, auto_replace = true}',
        '      + regions              = ["local-1", "local-2"]',
        '      ~ candidates[0].region = "local-1" → "local-2"',
        '      - labels["old/key"]    = "x"',
      ].join('\n'),
    );
  });

  it('shows a long value by whole entries and says how many more, never cutting one', () => {
    const labels = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`label${i}`, `value-${i}`]));
    const plan = buildPlan({ actions: [], pools: [poolPlan('p', { change: 'create', patch: [{ op: 'add', path: '/labels', value: labels }] })], cost: cost(0, 0) });
    const line = plain(plan)
      .split('\n')
      .find((l) => l.includes('+ labels'));
    expect(line).toBe('      + labels = {label0 = "value-0", label1 = "value-1", +10 more}');
  });

  it('says a reason shared by a run of nodes once, after them', () => {
    const placements = [placement()];
    const plan = buildPlan({
      actions: [
        createAction('train', 'train-3', 'pool "train" has 2 of 5 nodes', placements),
        createAction('train', 'train-4', 'pool "train" has 2 of 5 nodes', placements),
        createAction('train', 'train-5', 'pool "train" has 2 of 5 nodes', placements),
        createAction('train', 'train-6', 'something else', placements),
      ],
      pools: [poolPlan('train', { nodesBefore: 2, nodesAfter: 6, costBefore: 0, costAfter: 0 })],
      cost: cost(0, 0),
    });
    expect(plain(plan)).toContain(
      [
        '  + train-3   f1.8xh100 on local local-1 (on-demand, $23.92/hr)',
        '  + train-4   f1.8xh100 on local local-1 (on-demand, $23.92/hr)',
        '  + train-5   f1.8xh100 on local local-1 (on-demand, $23.92/hr)',
        '      # 3 nodes: pool "train" has 2 of 5 nodes',
        '  + train-6   f1.8xh100 on local local-1 (on-demand, $23.92/hr)',
        '      # something else',
        '',
      ].join('\n'),
    );
  });

  it.each(Object.entries(FIXTURES))('%s: every line ends at the end of what it says (a heading ends with its colon)', (_name, make) => {
    for (const line of plain(make()).split('\n')) {
      expect(line).not.toMatch(/…|[;,]$|\b(to|the|a|an|of|and|or|no|but):?$/);
    }
  });

  it.each(Object.entries(FIXTURES))('%s: the summary line counts a replace as one add and one destroy', (_name, make) => {
    const plan = make();
    const add = plan.actions.filter((a) => a.kind === 'create' || a.kind === 'replace').length;
    const change = plan.actions.filter((a) => a.kind === 'update').length;
    const destroy = plan.actions.filter((a) => a.kind === 'destroy' || a.kind === 'replace').length;
    const text = plain(plan);
    if (plan.actions.length) expect(text).toContain(`\nPlan: ${add} to add, ${change} to change, ${destroy} to destroy.\n`);
    else expect(text.startsWith('No changes. Your fleet matches the configuration.\n')).toBe(true);
  });

  it.each(Object.entries(FIXTURES))('%s: colour only when asked', (_name, make) => {
    const plan = make();
    expect(renderText(plan, { color: false })).not.toMatch(ANSI);
    expect(renderText(plan, { color: true })).toMatch(ANSI);
    // Colour adds escape codes and nothing else.
    expect(renderText(plan, { color: true }).replace(ANSI_ALL, '')).toBe(renderText(plan, { color: false }));
  });

  it('colours the symbols by kind', () => {
    const text = renderText(mixedPlan(), { color: true });
    expect(text).toContain('\u001b[32m  +\u001b[39m train-3');
    expect(text).toContain('\u001b[31m  -\u001b[39m train-1');
    expect(text).toContain('\u001b[33m  ~\u001b[39m train-0');
    expect(text).toContain('\u001b[35m-/+\u001b[39m train-2');
  });

  it('groups actions by pool, pools sorted by name, actions in plan order', () => {
    const plan = buildPlan({
      actions: [createAction('zeta', 'zeta-0', 'z0'), createAction('alpha', 'alpha-1', 'a1'), createAction('zeta', 'zeta-1', 'z1'), createAction('alpha', 'alpha-0', 'a0')],
      pools: [poolPlan('zeta'), poolPlan('alpha')],
      cost: cost(0, 0),
    });
    const heads = plain(plan)
      .split('\n')
      .filter((l) => l.startsWith('  # pool') || l.startsWith('  + '))
      .map((l) => /pool "\w+"|\w+-\d/.exec(l)?.[0]);
    expect(heads).toEqual(['pool "alpha"', 'alpha-1', 'alpha-0', 'pool "zeta"', 'zeta-0', 'zeta-1']);
  });
});

describe('formatMoney', () => {
  it.each([
    [0, '$0.00'],
    [23.92, '$23.92'],
    [47.839999999, '$47.84'],
    [1234567.5, '$1,234,567.50'],
    [-95.68, '-$95.68'],
    [-0.001, '$0.00'],
    [undefined, '$?'],
    [Number.NaN, '$?'],
  ])('%s → %s', (amount, text) => expect(formatMoney(amount)).toBe(text));

  it('signs deltas', () => {
    expect(formatDelta(47.84)).toBe('+$47.84/hr');
    expect(formatDelta(-2.49)).toBe('-$2.49/hr');
    expect(formatDelta(0)).toBe('+$0.00/hr');
  });
});
