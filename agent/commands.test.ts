import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type CommandAck, type HealthEvent, type NodeCommand } from '../src/model/index.js';
import { silentLogger } from '../src/log/index.js';
import { CommandRunner } from './commands.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-commands-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cmd = (id: string, kind: NodeCommand['kind'], params?: Record<string, unknown>): NodeCommand => ({
  id,
  kind,
  issuedAt: '2026-01-01T00:00:00Z',
  ...(params ? { params } : {}),
});

function runner(extra: Partial<ConstructorParameters<typeof CommandRunner>[0]> = {}) {
  const acks: Array<{ id: string; ack: CommandAck }> = [];
  const events: HealthEvent[] = [];
  let failAcks = 0;
  const r = new CommandRunner({
    nodeId: 'train-3',
    ack: async (id, ack) => {
      if (failAcks > 0) {
        failAcks--;
        throw new Error('unreachable');
      }
      acks.push({ id, ack });
    },
    onEvent: (e) => events.push(e),
    hookTimeoutMs: 5000,
    terminateCommand: ['true'],
    clock: new ManualClock(),
    log: silentLogger,
    ...extra,
  });
  return { r, acks, events, failNextAcks: (n: number) => (failAcks = n) };
}

describe('CommandRunner', () => {
  it('acknowledges cordon, drain and uncordon without a hook, and tracks the state', async () => {
    const { r, acks } = runner();
    r.handle([cmd('1', 'cordon')]);
    await r.idle();
    expect(r.state).toEqual({ cordoned: true, draining: false });
    r.handle([cmd('2', 'drain')]);
    await r.idle();
    expect(r.state).toEqual({ cordoned: true, draining: true });
    r.handle([cmd('3', 'uncordon')]);
    await r.idle();
    expect(r.state).toEqual({ cordoned: false, draining: false });
    expect(acks.map((a) => [a.id, a.ack.result])).toEqual([
      ['1', 'ok'],
      ['2', 'ok'],
      ['3', 'ok'],
    ]);
    expect(acks[0]?.ack.message).toContain('no command hook');
  });

  it('runs commands in the order they came, whatever each takes', async () => {
    const out = join(dir, 'order');
    const hook = join(dir, 'hook');
    // cordon is slow, uncordon quick: run side by side, uncordon would finish first.
    await writeFile(hook, `#!/bin/sh\n[ "$1" = cordon ] && sleep 0.3\necho "$1" >> '${out}'\n`, { mode: 0o755 });
    const { r } = runner({ hook });
    r.handle([cmd('1', 'cordon'), cmd('2', 'drain'), cmd('3', 'uncordon')]);
    await r.idle();
    expect((await readFile(out, 'utf8')).trim().split('\n')).toEqual(['cordon', 'drain', 'uncordon']);
    expect(r.state).toEqual({ cordoned: false, draining: false });
  });

  it('runs a command once; a repeat is acknowledged again, not run again', async () => {
    const out = join(dir, 'runs');
    const hook = join(dir, 'hook');
    await writeFile(hook, `#!/bin/sh\necho "$1 $NAVARCH_COMMAND_REASON" >> '${out}'\n`, { mode: 0o755 });
    const { r, acks, failNextAcks } = runner({ hook });
    failNextAcks(1);
    r.handle([{ ...cmd('1', 'cordon'), reason: 'xid 79' }]);
    r.handle([cmd('1', 'cordon')]); // still running: ignored
    await r.idle();
    expect(acks).toEqual([]); // the ack was lost
    r.handle([cmd('1', 'cordon')]); // the server sends it again
    await new Promise((res) => setImmediate(res));
    expect(acks).toHaveLength(1);
    expect((await readFile(out, 'utf8')).trim()).toBe('cordon xid 79');
  });

  it('reports a failing hook as failed, and rejects what it cannot do', async () => {
    const hook = join(dir, 'hook');
    await writeFile(hook, '#!/bin/sh\necho "kubectl: connection refused" >&2\nexit 3\n', { mode: 0o755 });
    const { r, acks } = runner({ hook, terminateCommand: [], dcgmiBinary: join(dir, 'no-dcgmi') });
    r.handle([cmd('1', 'drain'), cmd('2', 'terminate-self'), cmd('3', 'run-diagnostic'), { ...cmd('4', 'cordon'), kind: 'reboot' as never }]);
    await r.idle();
    const byId = Object.fromEntries(acks.map((a) => [a.id, a.ack]));
    expect(byId['1']).toMatchObject({ result: 'failed' });
    expect(byId['1']?.message).toContain('kubectl: connection refused');
    expect(byId['2']).toMatchObject({ result: 'rejected' });
    expect(byId['3']).toEqual({ result: 'rejected', message: 'DCGM (dcgmi) is not installed on this node' });
    expect(byId['4']).toMatchObject({ result: 'rejected', message: "unknown command kind 'reboot'" });
    expect(r.state.draining).toBe(false);
  });

  it('runs a diagnostic and reports its result as an event', async () => {
    const dcgmi = join(dir, 'dcgmi');
    await writeFile(dcgmi, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const { r, acks, events } = runner({ dcgmiBinary: dcgmi, diag: async (_b, level) => ({ level, passed: false, message: 'Memory: Fail' }) });
    r.handle([cmd('1', 'run-diagnostic', { level: 2 })]);
    await r.idle();
    expect(acks[0]?.ack).toEqual({ result: 'failed', message: 'Memory: Fail', details: { level: 2, passed: false } });
    expect(events).toEqual([{ kind: 'diagnostic', time: '2026-01-01T00:00:00.000Z', level: 2, passed: false, message: 'Memory: Fail' }]);
  });

  it('runs the terminate command and acknowledges by its exit status', async () => {
    const marker = join(dir, 'down');
    const { r, acks } = runner({ terminateCommand: ['touch', marker] });
    r.handle([cmd('1', 'terminate-self')]);
    await r.idle();
    expect(acks[0]?.ack.result).toBe('ok');
    expect(await readFile(marker, 'utf8')).toBe('');
  });
});
