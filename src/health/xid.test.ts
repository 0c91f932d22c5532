import { describe, expect, it } from 'vitest';
import { xidCatalog, xidInfo } from './xid.js';

describe('xid catalog', () => {
  it.each([
    [13, 'application', false],
    [43, 'ignore', false],
    [48, 'reset', true],
    [63, 'degraded', false],
    [64, 'replace', true],
    [74, 'reset', true],
    [79, 'replace', true],
    [92, 'degraded', false],
    [94, 'application', false],
    [95, 'reset', true],
    [119, 'reset', true],
    [147, 'reset', true],
  ])('XID %i is %s (fatal %s)', (xid, bucket, fatal) => {
    expect(xidInfo(xid)).toMatchObject({ xid, bucket, fatal });
  });
  it('reads the recovery action of XID 154 from its message', () => {
    expect(xidInfo(154, 'GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)').bucket).toBe('replace');
    expect(xidInfo(154, 'GPU recovery action changed from 0x0 (None) to 0x1 (GPU Reset Required)').bucket).toBe('reset');
    expect(xidInfo(154, 'changed to 0x0 (None)').bucket).toBe('degraded');
  });
  it('watches unknown XIDs instead of ignoring them', () => {
    expect(xidInfo(999)).toMatchObject({ bucket: 'degraded', fatal: false });
  });
  it('lists each XID once, in order', () => {
    const xs = xidCatalog().map((e) => e.xid);
    expect(xs).toEqual([...new Set(xs)].sort((a, b) => a - b));
  });
});
