/**
 * `navarch-agent xid parse`: reads kernel log lines on stdin (a pasted `dmesg`, `dmesg -T`,
 * `journalctl -k` or `/dev/kmsg` dump) and prints one JSON object per XID found:
 * `{"xid", "pci", "gpu", "bucket", "action", "message"}`. `gpu` is null unless the GPUs are known,
 * from `--gpu-map 0=0000:3b:00,1=0000:86:00` or by asking this machine's GPUs (`--gpu-source`).
 */
import { createInterface } from 'node:readline';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { silentLogger } from '../../src/log/index.js';
import { openGpus, type GpuSourceChoice } from '../gpu/index.js';
import { PciMap, XidScanner, nvmlPciBusId } from '../xid/index.js';
import { EXIT } from '../../src/model/index.js';
import type { AgentCliContext } from './context.js';
import { FAKE_GPUS, GPU_SOURCE } from './run.js';

/** Parses `INDEX=PCI` pairs (either order), comma-separated. */
export function parseGpuMap(text: string): PciMap {
  const map = new PciMap();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [a = '', b = ''] = part.split('=').map((s) => s.trim());
    const [index, pci] = /^\d+$/.test(a) ? [a, b] : [b, a];
    if (!/^\d+$/.test(index) || !nvmlPciBusId(pci)) throw new InvalidArgumentError(`expected INDEX=PCI pairs such as 0=0000:3b:00, got '${part}'`);
    map.set(pci, Number(index));
  }
  return map;
}

interface ParseOptions {
  gpuMap?: PciMap;
  gpuSource?: GpuSourceChoice;
  fakeGpus?: string;
}

/** One output line, fields in the documented order. */
export function xidJson(f: { xid: number; pci?: string; gpu?: number; message: string; info: { bucket: string; action: string } }): string {
  return JSON.stringify({ xid: f.xid, pci: f.pci ?? null, gpu: f.gpu ?? null, bucket: f.info.bucket, action: f.info.action, message: f.message });
}

export function registerXid(program: Command, ctx: AgentCliContext): void {
  const xid = program.command('xid').description('Work with NVIDIA XID errors.');
  xid
    .command('parse')
    .description('Read kernel log lines on stdin; print one JSON object per XID found.')
    .option('--gpu-map <map>', 'PCI address of each GPU index, e.g. 0=0000:3b:00,1=0000:86:00', parseGpuMap)
    .addOption(new Option(GPU_SOURCE.flags, GPU_SOURCE.description))
    .addOption(new Option(FAKE_GPUS.flags, FAKE_GPUS.description))
    .addHelpText(
      'after',
      [
        '',
        'With --gpu-source (or --fake-gpus), the GPU indices are learned from this machine.',
        'Output, one line per XID (gpu is null when the GPU index is not known):',
        '  {"xid":79,"pci":"00000000:3B:00.0","gpu":null,"bucket":"replace","action":"...","message":"..."}',
        '',
        'Examples:',
        '  dmesg | navarch-agent xid parse',
        '  journalctl -k -b | navarch-agent xid parse --gpu-source auto',
        '  navarch-agent xid parse --gpu-map 0=0000:3b:00,1=0000:86:00 < kern.log',
      ].join('\n'),
    )
    .action(async (opts: ParseOptions) => {
      let map = opts.gpuMap;
      if (!map && (opts.gpuSource || opts.fakeGpus)) {
        const opened = await openGpus({
          choice: opts.gpuSource ?? 'fake',
          timeoutMs: 10_000,
          log: silentLogger,
          ...(opts.fakeGpus === undefined ? {} : { fakeGpus: Number(opts.fakeGpus) }),
        });
        map = new PciMap(opened.inventory?.gpus ?? []);
        await opened.source.close();
        if (!opened.inventory) ctx.stderr.write(`warning: cannot read this machine's GPUs (${opened.failure?.error ?? 'unknown error'}); gpu stays null\n`);
      }
      let line = 0;
      const scanner = new XidScanner({ at: () => line, window: 50, ...(map ? { pciMap: map } : {}) });
      const rl = createInterface({ input: ctx.stdin, crlfDelay: Infinity });
      for await (const text of rl) {
        line++;
        const f = scanner.scan(text);
        if (f) ctx.stdout.write(`${xidJson(f)}\n`);
      }
      ctx.exitCode = EXIT.ok;
    });
}
