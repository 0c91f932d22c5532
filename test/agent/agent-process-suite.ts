/**
 * The agent run as a process against a control plane on loopback, with a fake kernel log file, a
 * fake metadata service (IMDSv2 token flow enforced) and the fake GPU source: what an operator gets
 * from a real node, minus the hardware. One body, run against every control plane under test: the
 * loopback receiver (agent.process.test.ts) and the real `navarch serve` (agent-serve.process.test.ts).
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HealthEvent, HealthReport } from '../../src/model/index.js';
import { startAgent, waitFor, type AgentProcess } from './agent-process.js';
import { FakeMetadata } from './metadata-server.js';
import type { ControlPlaneOptions, ControlPlaneUnderTest } from './control-plane.js';

const FIXTURE_BIN = join(import.meta.dirname, 'fixtures/bin');
const XID79 = 'NVRM: Xid (PCI:0000:5d:00): 79, pid=2741, name=python3, GPU has fallen off the bus.';

const events = (reports: HealthReport[]): HealthEvent[] => reports.flatMap((r) => r.events);

/** Registers the agent's process tests against the control plane `start` gives (`where` names it in the titles). */
export function agentProcessSuite(where: string, start: (opts: ControlPlaneOptions) => Promise<ControlPlaneUnderTest>): void {
  let cp: ControlPlaneUnderTest;
  let dir: string;
  const running: Array<{ agent: AgentProcess; token: string }> = [];

  beforeAll(async () => {
    cp = await start({ intervals: { heartbeatIntervalSec: 1, healthIntervalSec: 2, commandPollIntervalSec: 0.5 } });
    dir = await mkdtemp(join(tmpdir(), 'navarch-agent-'));
  });
  afterEach(async () => {
    const stopped = running.splice(0);
    const codes = await Promise.all(stopped.map((r) => r.agent.stop()));
    expect(cp.malformed?.() ?? []).toEqual([]);
    for (const { agent, token } of stopped) expect(agent.stderr).not.toContain(token); // never logged
    expect(codes.every((c) => c === 0)).toBe(true); // SIGTERM is a clean stop
  });
  afterAll(async () => {
    await cp.close();
    await rm(dir, { recursive: true, force: true });
  });

  let nodes = 0;
  /** A fresh node: its own name, token, kmsg file and agent process. */
  async function node(extra: string[] = [], env: Record<string, string> = {}) {
    const nodeId = `train-${++nodes}`;
    const kmsg = join(dir, `${nodeId}.kmsg`);
    await writeFile(kmsg, '6,1,100,-;Linux version 6.8.0 (fake)\n');
    const token = await cp.tokenFor(nodeId);
    const agent = startAgent(
      ['run', '--server', cp.url, '--node-id', nodeId, '--kmsg', kmsg, '--kmsg-from-start', '--fake-gpus', '8', '--expect-gpus', '8', ...extra],
      { NAVARCH_NODE_TOKEN: token, PATH: `${FIXTURE_BIN}:${process.env['PATH'] ?? ''}`, ...env },
    );
    running.push({ agent, token });
    await waitFor(async () => (await cp.registrations(nodeId)).length > 0, 20_000, `${nodeId} to register`);
    return { nodeId, kmsg, token, agent };
  }

  describe(`navarch-agent against ${where}`, () => {
    it('registers with its GPUs and passing boot checks, then heartbeats', async () => {
      const { nodeId } = await node(['--cloud', 'none', '--provider-name', 'fake', '--instance-type', 'f1.8xh100', '--pool', 'train']);
      const [reg] = await cp.registrations(nodeId);
      expect(reg?.provider).toBe('fake');
      expect(reg?.pool).toBe('train');
      expect(reg?.instanceType).toBe('f1.8xh100');
      expect(reg?.gpus).toHaveLength(8);
      expect(reg?.gpus[3]?.pciBusId).toBe('00000000:5D:00.0');
      const byName = Object.fromEntries((reg?.bootChecks ?? []).map((c) => [c.name, c.status]));
      expect(byName).toMatchObject({ driver: 'pass', 'gpu-count': 'pass', 'gpu-readings': 'pass', 'dcgm-diag': 'pass' });
      const hb = await waitFor(async () => (await cp.heartbeats(nodeId))[0], 10_000, 'a heartbeat');
      expect(hb.gpus).toHaveLength(8);
      expect(hb.gpus[0]?.temperatureC).toBeTypeOf('number');
    });

    it('sends a written XID 79 line as a fatal event within a second', async () => {
      const { nodeId, kmsg } = await node(['--cloud', 'none']);
      // Let the first periodic reports go, so the XID's report is not one that was due anyway.
      await waitFor(async () => (await cp.reports(nodeId)).length > 0, 10_000, 'a first health report');
      const written = Date.now();
      await appendFile(kmsg, `3,512,91234567,-;${XID79}\n`);
      const report = await waitFor(
        async () => (await cp.reports(nodeId)).find((r) => r.events.some((e) => e.kind === 'xid' && e.xid === 79)),
        5_000,
        'the XID 79 report',
      );
      const arrived = (await cp.storedAt?.(nodeId, report.id)) ?? Date.now();
      const xid = report.events.find((e) => e.kind === 'xid');
      expect(xid).toMatchObject({ kind: 'xid', xid: 79, gpu: 3, pci: '00000000:5D:00.0', message: 'pid=2741, name=python3, GPU has fallen off the bus.' });
      if (process.env["AGENT_TEST_VERBOSE"]) process.stderr.write(`XID 79 written → stored: ${arrived - written} ms\n`);
      // The acceptance bar: at once, not at the next health interval.
      expect(arrived - written).toBeLessThan(1000);
      // A control plane that judges takes it as fatal: the node is condemned at once, for that GPU.
      if (cp.health) expect(await cp.health(nodeId)).toEqual({ health: 'unhealthy', reason: 'XID 79 on GPU 3 (0000:5d:00.0): GPU has fallen off the bus' });
    });

    it('reports an AWS spot notice and a rebalance recommendation through IMDSv2', async () => {
      const md = await FakeMetadata.start({ cloud: 'aws', instanceId: 'i-0abc', instanceType: 'p5.48xlarge', zone: 'us-east-1b' });
      try {
        const { nodeId } = await node(['--cloud', 'auto', '--metadata-url', md.url, '--spot-poll-interval', '200ms']);
        const [reg] = await cp.registrations(nodeId);
        expect(reg).toMatchObject({ provider: 'aws', instanceId: 'i-0abc', instanceType: 'p5.48xlarge', region: 'us-east-1', zone: 'us-east-1b' });
        md.setRebalance('2026-03-01T10:00:00Z');
        md.setSpotAction('terminate', '2026-03-01T10:02:00Z');
        const notices = await waitFor(async () => {
          const p = events(await cp.reports(nodeId)).filter((e) => e.kind === 'preemption');
          return p.length >= 2 ? p : undefined;
        }, 10_000, 'the spot notices');
        expect(notices).toContainEqual(expect.objectContaining({ cloud: 'aws', action: 'terminate', at: '2026-03-01T10:02:00Z' }));
        expect(notices).toContainEqual(expect.objectContaining({ cloud: 'aws', action: 'rebalance' }));
        if (cp.health) expect(await cp.health(nodeId)).toEqual({ health: 'unhealthy', reason: 'spot preemption notice (aws terminate at 2026-03-01T10:02:00Z)' });
        // Every read carried a token: nothing answered 401, and the token was asked for with a TTL.
        expect(md.requests.filter((r) => r.status === 401)).toEqual([]);
        expect(md.requests.some((r) => r.method === 'PUT' && r.path === '/latest/api/token' && r.status === 200)).toBe(true);
        // Reported once each, however many polls saw them.
        await new Promise((r) => setTimeout(r, 600));
        expect(events(await cp.reports(nodeId)).filter((e) => e.kind === 'preemption')).toHaveLength(2);
      } finally {
        await md.close();
      }
    });

    it('reports a GCP preemption seen through a metadata long-poll', async () => {
      const md = await FakeMetadata.start({ cloud: 'gcp', instanceId: 'train-gcp', instanceType: 'a3-highgpu-8g', zone: 'us-central1-b' });
      try {
        const { nodeId } = await node(['--cloud', 'auto', '--metadata-url', md.url]);
        const [reg] = await cp.registrations(nodeId);
        expect(reg).toMatchObject({ provider: 'gcp', instanceId: 'train-gcp', instanceType: 'a3-highgpu-8g', region: 'us-central1', zone: 'us-central1-b' });
        await waitFor(() => md.requests.some((r) => r.path.endsWith('/instance/preempted')), 5_000, 'the long-poll');
        md.preempt();
        const e = await waitFor(async () => events(await cp.reports(nodeId)).find((x) => x.kind === 'preemption'), 5_000, 'the preemption');
        expect(e).toMatchObject({ cloud: 'gcp', action: 'preempted' });
      } finally {
        await md.close();
      }
    });
  });

  describe(`navarch-agent through an outage of ${where}`, () => {
    it('loses no event in a one-minute outage and replays in order', { timeout: 180_000 }, async () => {
      const { nodeId, kmsg } = await node(['--cloud', 'none']);
      await waitFor(async () => (await cp.reports(nodeId)).length > 0, 10_000, 'a first health report');
      await cp.stop();
      // Counted once it is down: a report may still land while a server shuts down gracefully.
      const before = (await cp.reports(nodeId)).length;
      // A minute of trouble while the control plane is away: fatal and non-fatal XIDs, in a known order.
      const outageMs = Number(process.env['AGENT_OUTAGE_MS'] ?? 60_000);
      const written: string[] = [];
      const start = Date.now();
      for (let i = 0; Date.now() - start < outageMs; i++) {
        const fatal = i % 3 === 0;
        const marker = `seq=${i}`;
        written.push(marker);
        const line = fatal
          ? `NVRM: Xid (PCI:0000:18:00): 48, An uncorrectable double bit error (DBE) has been detected on GPU (${marker}).`
          : `NVRM: Xid (PCI:0000:2a:00): 13, pid=77, name=train.py, Graphics SM Warp Exception (${marker})`;
        await appendFile(kmsg, `3,${1000 + i},${i}000000,-;${line}\n`);
        await new Promise((r) => setTimeout(r, 1500));
      }
      expect((await cp.reports(nodeId)).length).toBe(before); // nothing got through: the outage was real
      await cp.resume();
      const got = await waitFor(async () => {
        const markers = events(await cp.reports(nodeId))
          .filter((e): e is Extract<HealthEvent, { kind: 'xid' }> => e.kind === 'xid')
          .map((e) => /\((seq=\d+)\)/.exec(e.message)?.[1] ?? '');
        return markers.length >= written.length ? markers : undefined;
      }, 60_000, 'the replay');
      expect(got).toEqual(written); // every event, once, in the order it happened
      const reports = await cp.reports(nodeId);
      const seqs = reports.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // reports arrived in the order they were made
      expect(new Set(reports.map((r) => r.id)).size).toBe(reports.length);
      expect(reports.every((r) => r.id.endsWith(`-${r.seq}`))).toBe(true);
    });

    it('keeps every fatal event and summarises the rest when its buffer fills', { timeout: 60_000 }, async (ctx) => {
      if (!cp.hang) return ctx.skip();
      const { nodeId, kmsg } = await node(['--cloud', 'none', '--buffer-size', '4', '--health-interval', '300ms']);
      await waitFor(async () => (await cp.reports(nodeId)).length > 0, 10_000, 'a first health report');
      await cp.hang();
      const fatal: string[] = [];
      for (let i = 0; i < 12; i++) {
        const marker = `seq=${i}`;
        if (i % 2 === 0) fatal.push(marker);
        const line =
          i % 2 === 0
            ? `NVRM: Xid (PCI:0000:18:00): 95, Uncontained ECC error (${marker})`
            : `NVRM: Xid (PCI:0000:2a:00): 31, pid=1, name=x, MMU Fault (${marker})`;
        await appendFile(kmsg, `${line}\n`);
        await new Promise((r) => setTimeout(r, 400));
      }
      await cp.resume();
      const reports = await waitFor(async () => {
        const r = await cp.reports(nodeId);
        const n = events(r).filter((e) => e.kind === 'xid' && e.xid === 95).length;
        return n >= fatal.length ? r : undefined;
      }, 30_000, 'the fatal events after the outage');
      const xids = events(reports).filter((e): e is Extract<HealthEvent, { kind: 'xid' }> => e.kind === 'xid');
      expect(xids.filter((e) => e.xid === 95).map((e) => /\((seq=\d+)\)/.exec(e.message)?.[1])).toEqual(fatal);
      expect(reports.some((r) => r.checks.some((c) => c.name === 'agent-buffer' && c.status === 'warn'))).toBe(true);
      // The non-fatal ones were summarised: the latest is kept, not all of them.
      expect(xids.filter((e) => e.xid === 31).length).toBeLessThan(6);
    });

    it('registers again when the control plane has forgotten the node', async (ctx) => {
      if (!cp.forget) return ctx.skip();
      const { nodeId } = await node(['--cloud', 'none']);
      await cp.forget(nodeId);
      await waitFor(async () => (await cp.registrations(nodeId)).length > 0, 10_000, 'a second registration');
      await waitFor(async () => (await cp.heartbeats(nodeId)).length > 0, 10_000, 'heartbeats again');
    });
  });

  describe(`navarch-agent commands from ${where}`, () => {
    it('acknowledges cordon, drain and uncordon through the hook, terminate-self and run-diagnostic', async () => {
      const hookLog = join(dir, 'hook.log');
      const hook = join(dir, 'hook.sh');
      await writeFile(hook, `#!/bin/sh\necho "$1 $NAVARCH_COMMAND_ID $NAVARCH_NODE_ID" >> '${hookLog}'\necho "hook did $1"\n`, { mode: 0o755 });
      const terminated = join(dir, 'terminated');
      const { nodeId } = await node(['--cloud', 'none', '--command-hook', hook, '--terminate-command', `touch '${terminated}'`]);
      const ids = {
        cordon: await cp.sendCommand(nodeId, 'cordon'),
        drain: await cp.sendCommand(nodeId, 'drain'),
        uncordon: await cp.sendCommand(nodeId, 'uncordon'),
        diag: await cp.sendCommand(nodeId, 'run-diagnostic', { level: 1 }),
        badDiag: await cp.sendCommand(nodeId, 'run-diagnostic', { level: 9 }),
        terminate: await cp.sendCommand(nodeId, 'terminate-self'),
      };
      const acks = await waitFor(async () => {
        const a = await cp.acks(nodeId);
        return a.length >= 6 ? a : undefined;
      }, 15_000, 'six acknowledgements');
      const ack = (id: string) => acks.find((a) => a.commandId === id)?.ack;
      expect(ack(ids.cordon)).toEqual({ result: 'ok', message: 'hook did cordon' });
      expect(ack(ids.drain)?.result).toBe('ok');
      expect(ack(ids.uncordon)?.result).toBe('ok');
      expect(ack(ids.diag)).toMatchObject({ result: 'ok', details: { level: 1, passed: true } });
      expect(ack(ids.badDiag)?.result).toBe('rejected');
      expect(ack(ids.terminate)?.result).toBe('ok');
      expect(acks.filter((a) => a.commandId === ids.cordon)).toHaveLength(1); // run and acknowledged once
      const { readFile, stat } = await import('node:fs/promises');
      expect(await stat(terminated)).toBeTruthy();
      expect((await readFile(hookLog, 'utf8')).trim().split('\n')).toEqual([
        `cordon ${ids.cordon} ${nodeId}`,
        `drain ${ids.drain} ${nodeId}`,
        `uncordon ${ids.uncordon} ${nodeId}`,
      ]);
      const diag = await waitFor(async () => events(await cp.reports(nodeId)).find((e) => e.kind === 'diagnostic'), 10_000, 'the diagnostic event');
      expect(diag).toMatchObject({ level: 1, passed: true });
    });
  });
}
