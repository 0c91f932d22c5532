import { describe, expect, it } from 'vitest';
import { PciMap, nvmlPciBusId } from './pci.js';
import { XidScanner } from './scan.js';
import { parseKmsgRecord } from './kmsg.js';

describe('nvmlPciBusId', () => {
  it('writes every form the way NVML does', () => {
    expect(nvmlPciBusId('0000:3b:00')).toBe('00000000:3B:00.0');
    expect(nvmlPciBusId('PCI:0000:3b:00.0')).toBe('00000000:3B:00.0');
    expect(nvmlPciBusId('00000000:3B:00.0')).toBe('00000000:3B:00.0');
    expect(nvmlPciBusId('3b:00.1')).toBe('00000000:3B:00.1');
    expect(nvmlPciBusId('0001:c1:1f.7')).toBe('00000001:C1:1F.7');
    expect(nvmlPciBusId('GPU-1234')).toBeUndefined();
    expect(nvmlPciBusId('0000:3b:00.9')).toBeUndefined();
  });

  it('maps any form to the GPU index', () => {
    const map = new PciMap([{ index: 5, pciBusId: '00000000:AB:00.0' }]);
    expect(map.index('0000:ab:00')).toBe(5);
    expect(map.index('0000:ac:00')).toBeUndefined();
    expect(map.index(undefined)).toBeUndefined();
  });
});

describe('XidScanner', () => {
  const at = { now: 0 };
  const scanner = (): XidScanner =>
    new XidScanner({ at: () => at.now, window: 60_000, pciMap: new PciMap([{ index: 2, pciBusId: '00000000:3B:00.0' }]) });

  it('names the GPU and classifies the XID', () => {
    const f = scanner().scan('NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.');
    expect(f).toMatchObject({ xid: 79, gpu: 2, pci: '00000000:3B:00.0', info: { bucket: 'replace', fatal: true } });
  });

  it('counts one bus drop once when the driver prints it twice', () => {
    const s = scanner();
    at.now = 1000;
    expect(s.scan('NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.')).toBeDefined();
    at.now = 1001;
    expect(s.scan('NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.')).toBeUndefined();
    // The unnumbered one first works too.
    at.now = 200_000;
    expect(s.scan('NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.')).toBeDefined();
    expect(s.scan('NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.')).toBeUndefined();
  });

  it('keeps two numbered XID 79s, and a drop long after the last', () => {
    const s = scanner();
    at.now = 0;
    expect(s.scan('NVRM: Xid (PCI:0000:3b:00): 79, a')).toBeDefined();
    expect(s.scan('NVRM: Xid (PCI:0000:3b:00): 79, b')).toBeDefined();
    at.now = 120_000;
    expect(s.scan('NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.')).toBeDefined();
  });

  it('keeps drops of different GPUs apart', () => {
    const s = scanner();
    expect(s.scan('NVRM: Xid (PCI:0000:3b:00): 79, a')).toBeDefined();
    expect(s.scan('NVRM: GPU 0000:18:00.0: GPU has fallen off the bus.')).toMatchObject({ pci: '00000000:18:00.0' });
  });
});

describe('parseKmsgRecord', () => {
  it('reads the header, the message and unescapes bytes; continuation lines are not the message', () => {
    expect(parseKmsgRecord('4,1234,91234567,-;NVRM: hi\\x09there\n SUBSYSTEM=pci\n DEVICE=+pci:0000:3b:00.0\n')).toEqual({
      level: 4,
      facility: 0,
      seq: 1234,
      timestampUs: 91234567,
      message: 'NVRM: hi\tthere',
    });
    expect(parseKmsgRecord('30,7,1,c;systemd[1]: started')).toMatchObject({ level: 6, facility: 3, seq: 7 });
    expect(parseKmsgRecord('not a record')).toBeUndefined();
  });
});
