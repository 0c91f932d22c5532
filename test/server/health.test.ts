/**
 * Health reports over HTTP, judged by the policy: the seeds' metric names, replays counted once,
 * unhealthy_after, temperatures from heartbeats, the operator's view.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, startServer, T0, xid, type TestServer } from './helpers.js';

let s: TestServer;
beforeEach(async () => {
  s = await startServer();
});
afterEach(async () => {
  await s.close();
});

const health = async (id: string) => (await call<{ node: { health: string; health_reason: string | null } }>(`${s.url}/v1/nodes/${id}`, { token: ADMIN })).body.node;

describe('health reports', () => {
  it('exports the seeds\' metrics, counting a replayed report once', async () => {
    const a = s.agent('train-1');
    await a.register();
    await a.heartbeat([{ index: 0, temperatureC: 71, powerW: 612.5, utilizationPct: 97, memoryUsedMiB: 1024 }]);
    await a.report([xid(13, 0)], [{ name: 'nvml', status: 'pass', message: '' }, { name: 'disk', status: 'warn', message: '91% full' }], 'boot-1-7');
    expect((await a.report([xid(13, 0)], [], 'boot-1-7')).body).toEqual({ stored: false });
    await call(`${s.url}/v1/nodes/train-1/cordon`, { token: ADMIN, method: 'POST' });
    const text = (await call<string>(`${s.url}/metrics`)).body;
    for (const line of [
      'navarch_nodes_total{pool="train"} 1',
      'navarch_nodes_healthy{pool="train"} 0',
      'navarch_nodes_unhealthy{pool="train"} 0',
      'navarch_nodes{pool="train",health="degraded"} 1',
      'navarch_node_gpu_count{node="train-1",pool="train"} 8',
      'navarch_node_gpu_temperature_celsius{node="train-1",pool="train",gpu="0"} 71',
      'navarch_node_gpu_utilization_percent{node="train-1",pool="train",gpu="0"} 97',
      'navarch_node_gpu_power_watts{node="train-1",pool="train",gpu="0"} 612.5',
      'navarch_node_gpu_memory_used_bytes{node="train-1",pool="train",gpu="0"} 1073741824',
      'navarch_node_health_check_status{node="train-1",pool="train",check="disk"} 0.5',
      'navarch_xid_errors_total{node="train-1",pool="train",xid="13"} 1',
      'navarch_commands_issued_total{kind="cordon"} 1',
      'navarch_health_reports_total{result="replay"} 1',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('turns a node unhealthy after unhealthy_after failing evaluations, and back on a clean one', async () => {
    const a = s.agent('train-1');
    await a.register();
    const failing = [{ name: 'nvidia-smi', status: 'fail' as const, message: 'exit status 9' }];
    await a.report([], failing);
    expect(await health('train-1')).toMatchObject({ health: 'degraded', health_reason: 'check nvidia-smi failed: exit status 9 (1 of 2 evaluations before unhealthy)' });
    await a.report([], failing);
    expect(await health('train-1')).toMatchObject({ health: 'unhealthy', health_reason: 'check nvidia-smi failed: exit status 9 (2 evaluations in a row)' });
    await a.report();
    expect((await health('train-1')).health).toBe('healthy');
  });

  it('judges GPU temperatures from the last heartbeat against the thresholds', async () => {
    const a = s.agent('train-1');
    await a.register();
    await a.heartbeat([{ index: 0, temperatureC: 60 }, { index: 4, temperatureC: 95 }]);
    await a.report();
    expect(await health('train-1')).toMatchObject({ health: 'degraded', health_reason: 'GPU 4 (0000:5c:00.0) at 95°C (unhealthy from 92°C) (1 of 2 evaluations before unhealthy)' });
  });

  it('condemns on a fatal XID at once and keeps the verdict until an operator clears it', async () => {
    const a = s.agent('train-1');
    await a.register();
    await a.report([xid(79)]);
    await a.report();
    expect(await health('train-1')).toMatchObject({ health: 'unhealthy', health_reason: 'XID 79 on GPU 3 (0000:4b:00.0): GPU has fallen off the bus' });
    await call(`${s.url}/v1/nodes/train-1/uncordon`, { token: ADMIN, method: 'POST' });
    await a.report();
    expect((await health('train-1')).health).toBe('healthy');
  });

  it('treats a spot preemption notice as the end of the node', async () => {
    const a = s.agent('train-1');
    await a.register();
    await a.report([{ kind: 'preemption', time: new Date(T0).toISOString(), cloud: 'aws', action: 'terminate', at: '2026-01-01T00:02:00Z' }]);
    expect(await health('train-1')).toMatchObject({ health: 'unhealthy', health_reason: 'spot preemption notice (aws terminate at 2026-01-01T00:02:00Z)' });
  });

  it('acknowledges each command once, and only on its own node', async () => {
    const a = s.agent('train-1');
    await a.register();
    await s.agent('train-2').register();
    await call(`${s.url}/v1/nodes/train-1/drain`, { token: ADMIN, body: { reason: 'maintenance' } });
    const cmds = (await a.heartbeat()).body.commands;
    expect(cmds.map((c) => c.kind)).toEqual(['cordon', 'drain']);
    const id = cmds[0]?.id ?? '';
    expect((await s.agent('train-2').ack(id)).status).toBe(404);
    expect((await a.ack(id, { result: 'ok', message: 'no new jobs' })).body).toEqual({ acknowledged: true, already: false });
    expect((await a.ack(id)).body).toEqual({ acknowledged: true, already: true });
    expect((await a.commands()).body.commands.map((c) => c.kind)).toEqual(['drain']);
    expect((await call(`${s.url}/v1/nodes/train-1/commands/${id}/ack`, { token: a.token, body: { result: 'maybe' } })).body).toEqual({
      error: { code: 'request.invalid', message: 'invalid request: body/result must be one of ok, failed, rejected' },
    });
  });

  it("shows an operator the node's recent reports as received, and as much history as asked for", async () => {
    const a = s.agent('train-1');
    await a.register();
    await a.report([xid(13, 0)], [{ name: 'nvml', status: 'pass', message: 'ok' }, { name: 'agent-buffer', status: 'warn', message: '3 reports merged' }], 'boot-1-1767225600000');
    await a.report([], undefined, 'boot-1-1767225600001');
    await a.report([], undefined, 'boot-1-1767225600001'); // a replay
    type Detail = { node: { reports: Array<{ id: string; seq: number; time: string; received_at: string; events: number; checks: unknown[] }>; events: unknown[] } };
    const detail = (await call<Detail>(`${s.url}/v1/nodes/train-1`, { token: ADMIN })).body.node;
    expect(detail.reports).toEqual([
      { id: 'boot-1-1767225600000', seq: 1, time: new Date(T0).toISOString(), received_at: new Date(T0).toISOString(), events: 1, checks: [{ name: 'agent-buffer', status: 'warn', message: '3 reports merged' }] },
      { id: 'boot-1-1767225600001', seq: 2, time: new Date(T0).toISOString(), received_at: new Date(T0).toISOString(), events: 0, checks: [] },
    ]);
    const last = (await call<Detail>(`${s.url}/v1/nodes/train-1?limit=1`, { token: ADMIN })).body.node;
    expect(last.reports.map((r) => r.id)).toEqual(['boot-1-1767225600001']);
    expect(last.events).toHaveLength(1);
    for (const bad of ['0', '-1', 'all', '1e3', '5001']) {
      expect((await call(`${s.url}/v1/nodes/train-1?limit=${bad}`, { token: ADMIN })).status).toBe(400);
    }
  });
});
