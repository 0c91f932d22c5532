import { describe, expect, it } from 'vitest';
import { budgetsFor, cutsFor, slackOf, type KindBudget } from './budget.js';

const MiB = 1024 * 1024;
const budget = (maxBytes: number, perOwnerMaxBytes?: number): KindBudget => ({ maxBytes, perOwnerMaxBytes });

describe('store budgets', () => {
  it('gives health data half the store, the rest to what SQLite adds around it', () => {
    expect(budgetsFor(2 * 1024 * MiB)).toEqual({ health: { maxBytes: 1024 * MiB, perOwnerMaxBytes: undefined } });
    expect(slackOf(64 * MiB)).toBe(2 * MiB);
    expect(slackOf(1024 * MiB)).toBe(8 * MiB);
  });

  it('cuts nothing while the kind fits', () => {
    expect(cutsFor({ budget: budget(100 * MiB), usage: new Map([['a', 50 * MiB]]), owner: 'a', incoming: MiB })).toEqual(new Map());
  });

  it('takes from the largest owners first, bringing them down to one level', () => {
    const usage = new Map([
      ['flood', 90 * MiB],
      ['quiet', 2 * MiB],
      ['busy', 10 * MiB],
    ]);
    // 102 MiB held, 1 incoming, room for 64 - 2 (slack) - 1 = 61: the flood alone comes down to 49.
    expect(cutsFor({ budget: budget(64 * MiB), usage, owner: 'quiet', incoming: MiB })).toEqual(new Map([['flood', 41 * MiB]]));
    // Room for 10 - 1 (slack is a 32nd) - 0: flood and busy both come down to the same level.
    const cuts = cutsFor({ budget: budget(10 * MiB), usage, owner: 'quiet', incoming: 0 });
    const level = (90 * MiB - (cuts.get('flood') ?? 0)) as number;
    expect(10 * MiB - (cuts.get('busy') ?? 0)).toBe(level);
    expect(cuts.has('quiet')).toBe(false);
    expect(level + level + 2 * MiB).toBeLessThanOrEqual(10 * MiB - slackOf(10 * MiB));
  });

  it('leaves an owner with nothing it may give up to the others', () => {
    const usage = new Map([
      ['fatal', 90 * MiB],
      ['other', 20 * MiB],
    ]);
    expect(cutsFor({ budget: budget(64 * MiB), usage, owner: 'other', incoming: 0, stuck: new Set(['fatal']) })).toEqual(new Map([['other', 20 * MiB]]));
  });

  it('holds an owner to its own cap before anyone else gives up anything', () => {
    const usage = new Map([
      ['job-1', 9 * MiB],
      ['job-2', MiB],
    ]);
    const cuts = cutsFor({ budget: budget(100 * MiB, 8 * MiB), usage, owner: 'job-1', incoming: MiB });
    expect(cuts).toEqual(new Map([['job-1', 2 * MiB + slackOf(8 * MiB)]]));
  });
});
