/** The agent's sequencing on a hand-moved clock, with an in-memory control plane and fake GPUs. */
import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  type CommandAck,
  type HealthReport,
  type HeartbeatRequest,
  type NodeCommand,
  type RegisterRequest,
  type RegisterResponse,
} from '../src/model/index.js';
import { silentLogger } from '../src/log/index.js';
import { Agent, type AgentClient } from './agent.js';
import { resolveConfig, type AgentConfig } from './config.js';
import { FakeGpuSource, type FakeGpuSpec } from './gpu/index.js';
import { ApiError } from './report/index.js';
import type { KernelLogSource, LogLine } from './xid/index.js';

class MemoryControlPlane implements AgentClient {
  down = false;
  registrations: RegisterRequest[] = [];
  heartbeats: HeartbeatRequest[] = [];
  reports: HealthReport[] = [];
  acks: Array<{ id: string; ack: CommandAck }> = [];
  queued: NodeCommand[] = [];
  reply: RegisterResponse = { nodeId: 'train-3', heartbeatIntervalSec: 5, healthIntervalSec: 20, commandPollIntervalSec: 2 };
  private check(): void {
    if (this.down) throw new ApiError('connection refused', 'unreachable');
  }
  async register(body: RegisterRequest): Promise<RegisterResponse> {
    this.check();
    this.registrations.push(body);
    return this.reply;
  }
  async heartbeat(body: HeartbeatRequest) {
    this.check();
    this.heartbeats.push(body);
    return { commands: this.queued.filter((c) => !this.acks.some((a) => a.id === c.id)) };
  }
  async health(body: HealthReport) {
    this.check();
    this.reports.push(body);
    return { stored: true };
  }
  async commands() {
    this.check();
    return [];
  }
  async ack(id: string, ack: CommandAck) {
    this.check();
    this.acks.push({ id, ack });
  }
}

/** A kernel log the test writes lines into. */
class ScriptedLog implements KernelLogSource {
  readonly describe = 'scripted';
  private onLine: ((l: LogLine) => void) | undefined;
  write(text: string): void {
    this.onLine?.({ text });
  }
  follow(onLine: (l: LogLine) => void, signal: AbortSignal): Promise<void> {
    this.onLine = onLine;
    return new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
};

function setup(flags: Parameters<typeof resolveConfig>[0] = {}, spec: FakeGpuSpec = { gpus: 2 }) {
  const clock = new ManualClock();
  const cp = new MemoryControlPlane();
  const log = new ScriptedLog();
  const config: AgentConfig = resolveConfig(
    { kmsg: false, cloud: 'none', dcgm: 'off', fakeGpus: String(spec.gpus ?? 2), ...flags },
    { NAVARCH_SERVER: 'http://cp.test', NAVARCH_NODE_ID: 'train-3', NAVARCH_NODE_TOKEN: 'token-for-tests' },
  );
  config.flushOnExitMs = 50;
  const gpus = new FakeGpuSource({ spec, now: () => clock.now() });
  const agent = new Agent(config, {
    clock,
    log: silentLogger,
    client: cp,
    openGpus: async () => ({ source: gpus, inventory: await gpus.inventory() }),
    detectCloud: async () => ({ name: 'none' }),
    kernelLog: async () => log,
    bootId: 'boot-a',
    host: { hostname: 'node-7', agentVersion: '0.1.0', bootId: 'boot-a' },
    hostLoad: { sample: () => ({ cpuPct: 1 }) },
    random: () => 1,
  });
  const ac = new AbortController();
  const done = agent.run(ac.signal);
  return { clock, cp, log, agent, ac, done };
}

const XID79 = 'NVRM: Xid (PCI:0000:2a:00): 79, pid=1, name=x, GPU has fallen off the bus.';
const XID13 = 'NVRM: Xid (PCI:0000:18:00): 13, pid=1, name=x, Graphics Exception';

describe('Agent', () => {
  it('registers with boot checks, takes the intervals it is given, and heartbeats', async () => {
    const s = setup();
    await s.agent.whenRegistered();
    expect(s.cp.registrations[0]).toMatchObject({ provider: 'none', instanceId: 'node-7', gpus: [{ index: 0 }, { index: 1 }] });
    expect(s.cp.registrations[0]?.bootChecks.map((c) => c.name)).toEqual(['driver', 'gpu-count', 'gpu-readings', 'ecc', 'memory-repair', 'thermal', 'nvlink']);
    expect(s.agent.intervals).toEqual({ heartbeatMs: 5000, healthMs: 20_000, commandMs: 2000 });
    await settle();
    expect(s.cp.heartbeats).toHaveLength(1);
    s.clock.advance(5000);
    await settle();
    expect(s.cp.heartbeats).toHaveLength(2);
    expect(s.cp.heartbeats[1]?.seq).toBe((s.cp.heartbeats[0]?.seq ?? 0) + 1);
    expect(s.cp.heartbeats[0]?.gpus[1]).toMatchObject({ index: 1, memoryTotalMiB: 81559 });
    s.ac.abort();
    await s.done;
  });

  it('keeps intervals set by flag', async () => {
    const s = setup({ heartbeatInterval: '1s' });
    await s.agent.whenRegistered();
    expect(s.agent.intervals.heartbeatMs).toBe(1000);
    expect(s.agent.intervals.healthMs).toBe(20_000);
    s.ac.abort();
    await s.done;
  });

  it('holds what it sees before registration and sends it, in order, once registered', async () => {
    const s = setup();
    s.cp.down = true;
    await settle();
    s.log.write(XID13);
    s.log.write(XID79); // urgent: cuts a report at once, carrying both
    await settle();
    expect(s.agent.outbox.size).toBe(1);
    s.cp.down = false;
    s.clock.advance(1000); // the registration retry
    await s.agent.whenRegistered();
    await s.agent.sender.whenEmpty();
    expect(s.cp.reports).toHaveLength(1);
    expect(s.cp.reports[0]?.events.map((e) => (e.kind === 'xid' ? e.xid : e.kind))).toEqual([13, 79]);
    expect(s.cp.reports[0]?.events[1]).toMatchObject({ gpu: 1, pci: '00000000:2A:00.0' });
    expect(s.cp.reports[0]?.id).toBe(`boot-a-${s.cp.reports[0]?.seq}`);
    s.ac.abort();
    await s.done;
  });

  it('sends a fatal XID at once and a non-fatal one with the next health report', async () => {
    const s = setup();
    await s.agent.whenRegistered();
    await settle();
    s.log.write(XID13);
    await settle();
    expect(s.cp.reports).toHaveLength(0);
    s.log.write(XID79);
    await settle();
    expect(s.cp.reports).toHaveLength(1);
    s.log.write(XID13);
    s.clock.advance(20_000);
    await settle();
    expect(s.cp.reports).toHaveLength(2);
    expect(s.cp.reports[1]?.events).toHaveLength(1);
    expect(s.cp.reports[1]?.checks.map((c) => c.name)).toContain('gpu-readings');
    expect(s.cp.reports[1]?.checks.find((c) => c.name === 'kernel-log')).toEqual({ name: 'kernel-log', status: 'pass', message: 'following scripted' });
    expect(s.cp.reports[1]!.seq).toBeGreaterThan(s.cp.reports[0]!.seq);
    s.ac.abort();
    await s.done;
  });

  it('acts on commands that come with a heartbeat', async () => {
    const s = setup();
    s.cp.queued.push({ id: 'c1', kind: 'cordon', issuedAt: '2026-01-01T00:00:00Z' });
    await s.agent.whenRegistered();
    await settle();
    await s.agent.commands.idle();
    await settle();
    expect(s.cp.acks).toEqual([{ id: 'c1', ack: { result: 'ok', message: 'cordon recorded (no command hook configured on the node)' } }]);
    s.ac.abort();
    await s.done;
  });

  it('reports a GPU read failure at once, and again only when it changes', async () => {
    const s = setup({}, { gpus: 2, faults: [{ kind: 'nvml-error', gpu: 1, call: 'nvmlDeviceGetTemperature', error: 'GPU is lost' }] });
    await s.agent.whenRegistered();
    await settle();
    const failures = () => s.cp.reports.flatMap((r) => r.events).filter((e) => e.kind === 'nvml-failure');
    expect(failures()).toEqual([{ kind: 'nvml-failure', time: '2026-01-01T00:00:00.000Z', gpu: 1, call: 'nvmlDeviceGetTemperature', error: 'GPU is lost' }]);
    expect(s.agent.bootResults.find((c) => c.name === 'gpu-readings')?.status).toBe('fail');
    s.clock.advance(5000);
    await settle();
    expect(failures()).toHaveLength(1);
    s.ac.abort();
    await s.done;
  });

  it('delivers pending events when it stops', async () => {
    const s = setup();
    await s.agent.whenRegistered();
    await settle();
    s.log.write(XID13);
    await settle();
    s.ac.abort();
    await s.done;
    expect(s.cp.reports.flatMap((r) => r.events).map((e) => e.kind)).toEqual(['xid']);
  });
});
