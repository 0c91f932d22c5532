import { constants, accessSync } from 'node:fs';
import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/model/index.js';
import { silentLogger } from '../../src/log/index.js';
import { FileSource, JournalSource, KmsgSource, kernelLogSource, superviseLog, type KernelLogSource, type LogLine } from './follow.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-follow-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function until(pred: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function collect(source: KernelLogSource): { lines: LogLine[]; stop: () => Promise<void>; done: Promise<void> } {
  const lines: LogLine[] = [];
  const ac = new AbortController();
  const done = source.follow((l) => lines.push(l), ac.signal);
  return {
    lines,
    done,
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

describe('FileSource (tail -F)', () => {
  it('starts at the end, joins partial lines, and follows truncation and rotation', async () => {
    const path = join(dir, 'kern.log');
    await writeFile(path, 'old line\n');
    const f = collect(new FileSource(path, { pollMs: 20, fromStart: false, log: silentLogger }));
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(path, 'one\ntw');
    await until(() => f.lines.length === 1, 'the first line');
    await appendFile(path, 'o\n');
    await until(() => f.lines.length === 2, 'the joined line');
    await truncate(path, 0);
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(path, 'after truncation\n');
    await until(() => f.lines.length === 3, 'the line after truncation');
    await rename(path, `${path}.1`);
    await writeFile(path, 'rotated\n');
    await until(() => f.lines.length === 4, 'the rotated file');
    await f.stop();
    expect(f.lines.map((l) => l.text)).toEqual(['one', 'two', 'after truncation', 'rotated']);
  });

  it('reads from the start when asked, and waits for a file that does not exist yet', async () => {
    const path = join(dir, 'later.log');
    const f = collect(new FileSource(path, { pollMs: 20, fromStart: true, log: silentLogger }));
    await new Promise((r) => setTimeout(r, 60));
    await writeFile(path, 'first\nsecond\n');
    await until(() => f.lines.length === 2, 'both lines');
    await f.stop();
    expect(f.lines.map((l) => l.text)).toEqual(['first', 'second']);
  });
});

describe('KmsgSource', () => {
  let readable = true;
  try {
    accessSync('/dev/kmsg', constants.R_OK);
  } catch {
    readable = false;
  }

  it.skipIf(!readable)('reads /dev/kmsg records from the oldest, with their sequence numbers, and skips what was read', async () => {
    const first = collect(new KmsgSource('/dev/kmsg', { pollMs: 20, log: silentLogger }));
    await until(() => first.lines.length > 0, 'a record');
    await first.stop();
    const seq = first.lines[0]?.seq ?? 0;
    expect(typeof seq).toBe('number');
    const again = collect(new KmsgSource('/dev/kmsg', { pollMs: 20, log: silentLogger, afterSeq: seq }));
    await new Promise((r) => setTimeout(r, 100));
    await again.stop();
    expect(again.lines.every((l) => (l.seq ?? 0) > seq)).toBe(true);
  });

  it('picks the source from what the path is', async () => {
    const file = join(dir, 'x.log');
    await writeFile(file, '');
    expect(await kernelLogSource({ path: file, journal: false, fromStart: false, pollMs: 10, log: silentLogger })).toBeInstanceOf(FileSource);
    expect(await kernelLogSource({ path: file, journal: true, fromStart: false, pollMs: 10, log: silentLogger })).toBeInstanceOf(JournalSource);
    if (readable) expect(await kernelLogSource({ path: '/dev/kmsg', journal: false, fromStart: false, pollMs: 10, log: silentLogger })).toBeInstanceOf(KmsgSource);
  });
});

describe('JournalSource', () => {
  it('runs journalctl -k -b -f and reads its lines', async () => {
    const fake = join(dir, 'journalctl');
    await writeFile(fake, `#!/bin/sh\necho "$*" > '${join(dir, 'args')}'\necho '-- Logs begin at Mon 2024-03-11 --'\necho '2024-03-12T10:11:12+0000 node kernel: NVRM: Xid (PCI:0000:3b:00): 79, x'\nexec sleep 30\n`, { mode: 0o755 });
    const f = collect(new JournalSource(fake));
    await until(() => f.lines.length === 1, 'the journal line');
    await f.stop();
    expect(f.lines[0]?.text).toContain('NVRM: Xid');
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(join(dir, 'args'), 'utf8')).trim()).toBe('-k -b -f -o short-iso -n all --no-pager');
  });

  it('is restarted with backoff when it fails', async () => {
    const clock = new ManualClock();
    let runs = 0;
    const errors: unknown[] = [];
    const failing: KernelLogSource = {
      describe: 'broken',
      follow: async () => {
        runs++;
        throw new Error('journalctl exited with 1');
      },
    };
    const ac = new AbortController();
    const done = superviseLog(failing, () => undefined, ac.signal, { clock, log: silentLogger, onError: (e) => errors.push(e) });
    await until(() => runs === 1 && clock.pending === 1, 'the first failure');
    clock.advance(60_000);
    await until(() => runs === 2, 'the restart');
    ac.abort();
    await done;
    expect(errors).toHaveLength(2);
  });
});
