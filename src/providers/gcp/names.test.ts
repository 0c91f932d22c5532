import { describe, expect, it } from 'vitest';
import { formatInstanceId, INSTANCE_NAME, instanceName, labelFilter, lastSegment, parseInstanceId, regionOfZone } from './names.js';

describe('instanceName', () => {
  it('is readable, deterministic and a valid Compute Engine name', () => {
    const name = instanceName('research', 'train-3');
    expect(name).toMatch(/^research-train-3-[0-9a-f]{8}$/);
    expect(instanceName('research', 'train-3')).toBe(name);
    expect(name).toMatch(INSTANCE_NAME);
  });

  it('keeps pairs that read alike after cleaning apart', () => {
    expect(instanceName('a-b', 'c')).not.toBe(instanceName('a', 'b-c'));
    expect(instanceName('Team_X', 'n1')).not.toBe(instanceName('team-x', 'n1'));
  });

  it('makes valid names of awkward fleets and nodes', () => {
    for (const [fleet, node] of [
      ['9lives', 'x'],
      ['', 'train-1'],
      ['UPPER', 'Mixed_Case.node'],
      ['f'.repeat(80), 'n'.repeat(80)],
      ['---', '---'],
    ] as const) {
      const name = instanceName(fleet, node);
      expect(name, `${fleet}/${node}`).toMatch(INSTANCE_NAME);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });
});

describe('instance ids', () => {
  it('round-trips zone, name and numeric id', () => {
    const ref = { zone: 'europe-west4-b', name: 'research-train-1-0a1b2c3d', gceId: '4829157103554000001' };
    expect(parseInstanceId(formatInstanceId(ref))).toEqual(ref);
  });

  it('refuses what it did not make', () => {
    for (const id of ['i-0123456789abcdef0', 'us-central1-a/name', 'us-central1-a/Name/1', 'us-central1-a/name/x1', 'fake-000001']) {
      expect(parseInstanceId(id), id).toBeUndefined();
    }
  });
});

describe('helpers', () => {
  it('derives regions and last path segments', () => {
    expect(regionOfZone('northamerica-northeast1-c')).toBe('northamerica-northeast1');
    expect(lastSegment('https://www.googleapis.com/compute/v1/projects/p/zones/us-east5-a')).toBe('us-east5-a');
    expect(lastSegment(undefined)).toBe('');
  });

  it('filters on every label, quoted, in a stable order', () => {
    expect(labelFilter({ 'navarch-pool': 'train', 'navarch-fleet': 'research' })).toBe(
      '(labels.navarch-fleet = "research") AND (labels.navarch-pool = "train")',
    );
    expect(labelFilter({})).toBeUndefined();
  });
});
