import { describe, expect, it } from 'vitest';
import type { Finding } from './classify.js';
import { judgeNode, type JudgeInput } from './judge.js';
import { resolvePolicy } from './policy.js';
import { clearVerdicts, foldRegistration, foldReport, initialHealthState, type NodeHealthState } from './state.js';

const policy = resolvePolicy({ unhealthyAfter: 2, autoReplace: true });
const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;

const bad: Finding = { severity: 'unhealthy', reason: 'check nvidia-smi failed: exit 9' };
const fatal: Finding = { severity: 'replace', reason: 'XID 79 on GPU 3 (0000:3b:00.0): GPU has fallen off the bus', xid: 79 };
const reset: Finding = { severity: 'reset', reason: 'XID 48 on GPU 1: Double-bit ECC error', xid: 48 };

function fold(findings: Finding[][], start = initialHealthState()): NodeHealthState {
  return findings.reduce((s, f, i) => foldReport(s, f, policy, T0 + i * MIN), start);
}

function judge(state: NodeHealthState, now: number, lastContactAt = now): ReturnType<typeof judgeNode> {
  const input: JudgeInput = { registered: { registeredAt: T0, lastContactAt, state }, launchedAt: T0, watchingSince: T0 };
  return judgeNode(input, policy, now);
}

describe('resolvePolicy', () => {
  it('fills defaults and keeps what the pool says', () => {
    const p = resolvePolicy({ unhealthyAfter: 3, autoReplace: false, heartbeatTimeoutMs: 60_000, disruptionBudget: { count: 2 } }, 30_000);
    expect(p).toMatchObject({ unhealthyAfter: 3, autoReplace: false, heartbeatTimeoutMs: 60_000, staleAfterMs: 60_000, breakerPercent: 20, disruptionBudget: { count: 2 } });
    expect(resolvePolicy(undefined)).toMatchObject({ heartbeatTimeoutMs: 300_000, staleAfterMs: 90_000, registrationTimeoutMs: 900_000 });
  });
  it('never puts the unhealthy temperature below the degraded one', () => {
    expect(resolvePolicy({ unhealthyAfter: 1, autoReplace: true, thermalDegradedC: 95 }).thermalUnhealthyC).toBe(95);
  });
});

describe('unhealthy_after', () => {
  it('counts consecutive unhealthy evaluations and resets on a healthy one', () => {
    const once = fold([[bad]]);
    expect(judge(once, T0)).toMatchObject({ health: 'degraded', reason: 'check nvidia-smi failed: exit 9 (1 of 2 evaluations before unhealthy)' });
    const twice = fold([[bad], [bad]]);
    expect(judge(twice, T0 + MIN)).toMatchObject({ health: 'unhealthy', cause: 'evaluations', since: T0 + MIN });
    const healed = fold([[bad], [], [bad]]);
    expect(healed.consecutiveUnhealthy).toBe(1);
    expect(judge(healed, T0 + 2 * MIN).health).toBe('degraded');
  });

  it('is healthy after a clean report and unknown before the first one', () => {
    expect(judge(initialHealthState(), T0)).toMatchObject({ health: 'unknown', cause: 'waiting' });
    expect(judge(fold([[]]), T0)).toMatchObject({ health: 'healthy', reason: undefined });
  });
});

describe('sticky verdicts', () => {
  it('condemns the node on a replace-class finding, whatever follows', () => {
    const s = fold([[fatal], [], []]);
    expect(judge(s, T0 + 2 * MIN)).toEqual({ health: 'unhealthy', reason: fatal.reason, since: T0, cause: 'hardware' });
  });

  it('degrades on the first reset-class error and escalates to replace when it repeats', () => {
    const first = fold([[reset, { ...reset, reason: 'XID 48 on GPU 2: Double-bit ECC error' }]]);
    expect(first.resets).toHaveLength(1);
    expect(judge(first, T0)).toMatchObject({ health: 'degraded', reason: 'XID 48 on GPU 1: Double-bit ECC error; the GPU needs a reset' });
    const again = fold([[reset], [], [reset]]);
    expect(judge(again, T0 + 2 * MIN)).toMatchObject({ health: 'unhealthy', cause: 'hardware', reason: 'XID 48 on GPU 1: Double-bit ECC error; 2 GPU-reset errors within 24h' });
  });

  it('forgets reset-class errors older than the window', () => {
    const s = foldReport(fold([[reset]]), [reset], policy, T0 + 25 * 60 * MIN);
    expect(s.condemned).toBeUndefined();
    expect(s.resets).toEqual([T0 + 25 * 60 * MIN]);
  });

  it('a reboot clears the need for a reset and a preemption, not a condemnation', () => {
    const s = fold([[reset], [{ severity: 'preempt', reason: 'spot preemption notice (gcp preempted)' }]]);
    expect(judge(s, T0 + MIN).cause).toBe('preemption');
    const rebooted = foldRegistration(s, [], true, T0 + 2 * MIN);
    expect(rebooted.needsReset).toBeUndefined();
    expect(rebooted.preempted).toBeUndefined();
    expect(foldRegistration(fold([[fatal]]), [], true, T0).condemned?.reason).toBe(fatal.reason);
  });

  it('keeps a node whose boot checks failed out of capacity until it registers clean', () => {
    const failed = foldRegistration(initialHealthState(), [{ name: 'gpu-count', status: 'fail', message: 'found 7 of 8 GPUs' }], true, T0);
    expect(judge(fold([[]], failed), T0)).toMatchObject({ health: 'unhealthy', cause: 'boot-checks', reason: 'boot check gpu-count failed: found 7 of 8 GPUs' });
    expect(foldRegistration(failed, [{ name: 'gpu-count', status: 'pass', message: '' }], false, T0).bootFailed).toBeUndefined();
  });

  it('an operator clears every verdict', () => {
    expect(judge(fold([[reset], [fatal]]), T0).health).toBe('unhealthy');
    expect(judge(clearVerdicts(fold([[reset], [fatal]])), T0).health).toBe('unknown');
  });
});

describe('silence', () => {
  it('is unknown after missed heartbeats and unhealthy after the timeout', () => {
    const s = fold([[]]);
    expect(judge(s, T0 + 60_000, T0).health).toBe('healthy');
    expect(judge(s, T0 + 2 * MIN, T0)).toMatchObject({ health: 'unknown', cause: 'silence', reason: 'no heartbeat for 2m' });
    expect(judge(s, T0 + 6 * MIN, T0)).toMatchObject({
      health: 'unhealthy',
      cause: 'silence',
      since: T0 + 5 * MIN,
      reason: 'no heartbeat for 6m (last at 2026-01-01T00:00:00.000Z)',
    });
  });

  it('does not blame nodes for silence from before the control plane was listening', () => {
    const input: JudgeInput = { registered: { registeredAt: T0, lastContactAt: T0, state: fold([[]]) }, launchedAt: T0, watchingSince: T0 + 60 * MIN };
    expect(judgeNode(input, policy, T0 + 61 * MIN).health).toBe('healthy');
    expect(judgeNode(input, policy, T0 + 66 * MIN).health).toBe('unhealthy');
  });

  it('gives a launched node the registration timeout to register its agent', () => {
    const input: JudgeInput = { registered: undefined, launchedAt: T0, watchingSince: T0 };
    expect(judgeNode(input, policy, T0 + 14 * MIN)).toMatchObject({ health: 'unknown', cause: 'waiting' });
    expect(judgeNode(input, policy, T0 + 15 * MIN)).toMatchObject({ health: 'unhealthy', cause: 'unregistered', since: T0 + 15 * MIN });
    expect(judgeNode(input, resolvePolicy({ unhealthyAfter: 2, autoReplace: true, registrationTimeoutMs: 0 }), T0 + 99 * MIN).health).toBe('unknown');
  });
});

describe('GPU faults', () => {
  const onGpu = (f: Finding, gpu: number, label: string): Finding => ({ ...f, gpu, label });
  const hot = onGpu({ severity: 'degraded', reason: 'GPU 2 at 88°C (degraded from 85°C)' }, 2, '88°C');

  it('names each GPU that is not well by its worst finding, in GPU order', () => {
    const s = fold([[hot, onGpu(fatal, 3, 'XID 79'), onGpu(bad, 3, 'NVLink 1 down'), bad]]);
    expect(s.gpuFaults).toEqual([
      { gpu: 2, label: '88°C', severity: 'degraded', at: T0 },
      { gpu: 3, label: 'XID 79', severity: 'replace', at: T0 },
    ]);
    expect(fold([[bad]]).gpuFaults).toBeUndefined();
  });

  it('forgets a passing fault at the next report; keeps a reset until the node reboots, and a fatal one for good', () => {
    const s = fold([[hot, onGpu(reset, 1, 'XID 48'), onGpu(fatal, 3, 'XID 79')], []]);
    expect(s.gpuFaults?.map((f) => [f.gpu, f.label])).toEqual([
      [1, 'XID 48'],
      [3, 'XID 79'],
    ]);
    expect(foldRegistration(s, [], false, T0 + 2 * MIN).gpuFaults).toHaveLength(2);
    const rebooted = foldRegistration(s, [], true, T0 + 2 * MIN);
    expect(rebooted.gpuFaults?.map((f) => f.label)).toEqual(['XID 79']);
    expect(clearVerdicts(rebooted).gpuFaults).toBeUndefined();
  });
});
