import { describe, expect, it } from 'vitest';
import { MANAGED_BY_VALUE, TAG } from '../../model/index.js';
import { instanceName, instanceTags, MAX_NAME_LENGTH, tagsFromName, toWireTags } from './names.js';

const identity = (fleet: string, pool: string, node: string): Record<string, string> => ({
  [TAG.managedBy]: MANAGED_BY_VALUE,
  [TAG.fleet]: fleet,
  [TAG.pool]: pool,
  [TAG.node]: node,
});

describe('lambda instance names', () => {
  it('carry the fleet and node, and read back to fleet, pool and node', () => {
    expect(instanceName('research', 'train-12')).toBe('nv.research.train-12');
    expect(tagsFromName('nv.research.train-12')).toEqual(identity('research', 'train', 'train-12'));
    expect(tagsFromName('nv.a-b.inference-a100-3')).toEqual(identity('a-b', 'inference-a100', 'inference-a100-3'));
  });

  it('leave the pool out when the node does not follow <pool>-<ordinal>', () => {
    expect(tagsFromName('nv.research.standalone')).toEqual({
      [TAG.managedBy]: MANAGED_BY_VALUE,
      [TAG.fleet]: 'research',
      [TAG.node]: 'standalone',
    });
  });

  it('are never longer than the API allows; a cut name ends in a hash and reads back as nothing', () => {
    const fleet = 'f'.repeat(39);
    const node = `${'p'.repeat(32)}-123456`;
    const name = instanceName(fleet, node);
    expect(name.length).toBe(MAX_NAME_LENGTH);
    expect(name).toMatch(/~[0-9a-f]{8}$/);
    expect(tagsFromName(name)).toEqual({});
    // Different nodes whose names are cut at the same place still get different names.
    expect(instanceName(fleet, `${'p'.repeat(32)}-123457`)).not.toBe(name);
    const longest = instanceName('f'.repeat(30), 'p'.repeat(30));
    expect(longest.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(tagsFromName(longest)[TAG.node]).toBe('p'.repeat(30));
  });

  it('read names people give their own instances as not navarch\'s', () => {
    for (const name of ['My Instance', 'research.train-1', 'nv.Research.train-1', 'nv.research', 'nv..x', '', null, undefined]) {
      expect(tagsFromName(name)).toEqual({});
    }
  });
});

describe('lambda instance tags', () => {
  it('are sent sorted by key, as {key, value}', () => {
    expect(toWireTags({ team: 'ml', [TAG.fleet]: 'f' })).toEqual([
      { key: TAG.fleet, value: 'f' },
      { key: 'team', value: 'ml' },
    ]);
  });

  it('come from the API when it reports them, and from the name when it reports none of navarch\'s', () => {
    const tags = [
      { key: TAG.fleet, value: 'research' },
      { key: TAG.node, value: 'train-1' },
      { key: 'team', value: 'ml' },
    ];
    // Tags win: a renamed instance keeps its identity.
    expect(instanceTags({ name: 'renamed by hand', tags })).toEqual({ [TAG.fleet]: 'research', [TAG.node]: 'train-1', team: 'ml' });
    expect(instanceTags({ name: 'nv.research.train-1', tags: null })).toEqual(identity('research', 'train', 'train-1'));
    expect(instanceTags({ name: 'nv.research.train-1', tags: [{ key: 'team', value: 'ml' }] })).toEqual({
      ...identity('research', 'train', 'train-1'),
      team: 'ml',
    });
    expect(instanceTags({ name: 'someone else', tags: [] })).toEqual({});
  });
});
