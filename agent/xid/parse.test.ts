import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXidLine, stripLogPrefix } from './parse.js';

const body = 'NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python, GPU has fallen off the bus.';
const found = { xid: 79, pci: '00000000:3B:00.0', message: 'pid=1234, name=python, GPU has fallen off the bus.', implicit: false };

describe('parseXidLine', () => {
  it.each([
    ['bare', body],
    ['/dev/kmsg', `4,1234,91234567,-;${body}`],
    ['/dev/kmsg with extra fields', `4,1234,91234567,-,caller=T123;${body}`],
    ['dmesg', `[ 8123.456789] ${body}`],
    ['dmesg -T', `[Tue Mar 12 10:11:12 2024] ${body}`],
    ['journalctl -k', `Mar 12 10:11:12 gpu-node-7 kernel: ${body}`],
    ['journalctl -k -o short-iso', `2024-03-12T10:11:12+0000 gpu-node-7 kernel: ${body}`],
    ['journalctl -k -o short-precise', `Mar 12 10:11:12.123456 gpu-node-7 kernel: ${body}`],
    ['a syslog file with the kernel timestamp', `Mar 12 10:11:12 gpu-node-7 kernel: [ 8123.456789] ${body}`],
    ['a syslog priority', `<4>${body}`],
    ['CRLF', `${body}\r`],
  ])('reads %s lines', (_, line) => {
    expect(parseXidLine(line)).toEqual(found);
  });

  it('reads the PCI address with or without PCI:, with a function, and with a MIG instance', () => {
    expect(parseXidLine('NVRM: Xid (0000:3b:00): 79, x')?.pci).toBe('00000000:3B:00.0');
    expect(parseXidLine('NVRM: Xid (PCI:0000:3b:00.0): 79, x')?.pci).toBe('00000000:3B:00.0');
    expect(parseXidLine('NVRM: Xid (PCI:0000:3b:00.1): 79, x')?.pci).toBe('00000000:3B:00.1');
    expect(parseXidLine('NVRM: Xid (PCI:0000:07:00 GPU-I:05): 31, pid=1, MMU Fault')).toEqual({ xid: 31, pci: '00000000:07:00.0', message: 'pid=1, MMU Fault', implicit: false });
  });

  it('keeps NVLink subcodes and recovery actions in the message', () => {
    expect(parseXidLine('NVRM: Xid (PCI:0000:c0:00): 149, NETIR_LINK_EVT  Fatal   XC0 i0 Link 00 (0x004505c6 0x00000000)')).toMatchObject({
      xid: 149,
      message: 'NETIR_LINK_EVT  Fatal   XC0 i0 Link 00 (0x004505c6 0x00000000)',
    });
    expect(parseXidLine('NVRM: Xid (PCI:0000:03:00): 154, GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)')?.message).toContain('Node Reboot Required');
  });

  it('reads an XID with no text after its number', () => {
    expect(parseXidLine('NVRM: Xid (PCI:0000:3b:00): 43')).toEqual({ xid: 43, pci: '00000000:3B:00.0', message: '', implicit: false });
  });

  it.each([
    ['NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.', '00000000:3B:00.0'],
    ['NVRM: GPU at PCI:0000:3b:00: GPU has fallen off the bus.', '00000000:3B:00.0'],
    ['NVRM: The NVIDIA GPU 0000:3b:00.0 (PCI ID: 10de:2330) installed in this system has fallen off the bus and is not responding to commands.', '00000000:3B:00.0'],
    ['[ 1.0] NVRM: GPU has fallen off the bus.', undefined],
  ])('reads "fallen off the bus" without an Xid as XID 79: %s', (line, pci) => {
    const x = parseXidLine(line);
    expect(x?.xid).toBe(79);
    expect(x?.implicit).toBe(true);
    expect(x?.pci).toBe(pci);
    expect(x?.message.startsWith('NVRM')).toBe(false);
  });

  it('ignores NVSwitch SXids and lines without an XID', () => {
    expect(parseXidLine('nvidia-nvswitch2: SXid (PCI:0000:07:00.0): 12028, Non-fatal, Link 47')).toBeUndefined();
    expect(parseXidLine('NVRM: GPU at PCI:0000:2a:00: GPU-1b2c3d4e')).toBeUndefined();
    expect(parseXidLine('NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.54.15')).toBeUndefined();
    expect(parseXidLine('')).toBeUndefined();
  });

  it('finds every XID of the recorded sample', () => {
    const lines = readFileSync(join(import.meta.dirname, '../../test/agent/fixtures/xid-lines.txt'), 'utf8').split('\n');
    expect(lines.map((l) => parseXidLine(l)?.xid).filter((x) => x !== undefined)).toEqual([79, 79, 48, 13, 31, 63, 74, 149, 119, 154, 94, 79, 95]);
  });
});

describe('stripLogPrefix', () => {
  it('leaves the kernel message', () => {
    expect(stripLogPrefix('6,2,3,-;hello')).toBe('hello');
    expect(stripLogPrefix('[  12.5] hello')).toBe('hello');
    expect(stripLogPrefix('Jan  2 03:04:05 host kernel: hello')).toBe('hello');
    expect(stripLogPrefix('hello kernel: world')).toBe('world');
  });
});
