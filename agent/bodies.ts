/** The API bodies the agent sends (src/model/agent-api.ts), built from what it knows. */
import type { AgentGpu, AgentHost, CheckResult, HeartbeatRequest, RegisterRequest, RegisterResponse } from '../src/model/index.js';
import type { CloudIdentity } from './cloud/index.js';
import type { AgentConfig } from './config.js';
import type { GpuSnapshot } from './gpu/index.js';

/** Registration: flags first, then what the metadata service said, then the hostname. */
export function registrationBody(
  identity: AgentConfig['identity'],
  cloud: CloudIdentity | undefined,
  gpus: AgentGpu[],
  host: AgentHost,
  bootChecks: CheckResult[],
): RegisterRequest {
  const body: RegisterRequest = {
    provider: identity.provider ?? cloud?.provider ?? 'none',
    instanceId: identity.instanceId ?? cloud?.instanceId ?? host.hostname,
    gpus,
    host,
    bootChecks,
  };
  const pool = identity.pool;
  const instanceType = identity.instanceType ?? cloud?.instanceType;
  const region = identity.region ?? cloud?.region;
  const zone = identity.zone ?? cloud?.zone;
  if (pool) body.pool = pool;
  if (instanceType) body.instanceType = instanceType;
  if (region) body.region = region;
  if (zone) body.zone = zone;
  return body;
}

/** The intervals after a register reply: the control plane's, except those fixed by flag. */
export function intervalsAfterRegister(
  current: AgentConfig['intervals'],
  fixed: AgentConfig['fixedIntervals'],
  reply: Partial<RegisterResponse>,
): AgentConfig['intervals'] {
  const pick = (now: number, isFixed: boolean, sec: unknown): number =>
    !isFixed && typeof sec === 'number' && Number.isFinite(sec) && sec > 0 ? Math.round(sec * 1000) : now;
  return {
    heartbeatMs: pick(current.heartbeatMs, fixed.heartbeat, reply.heartbeatIntervalSec),
    healthMs: pick(current.healthMs, fixed.health, reply.healthIntervalSec),
    commandMs: pick(current.commandMs, fixed.command, reply.commandPollIntervalSec),
  };
}

/** A heartbeat: the GPUs' gauges from the latest readings and the host's load. */
export function heartbeatBody(seq: number, time: string, snap: GpuSnapshot, host: HeartbeatRequest['host']): HeartbeatRequest {
  return {
    seq,
    time,
    gpus: snap.gpus.map((g) => {
      const s: HeartbeatRequest['gpus'][number] = { index: g.index };
      for (const k of ['temperatureC', 'powerW', 'utilizationPct', 'memoryUsedMiB', 'memoryTotalMiB'] as const) {
        const v = g[k];
        if (v !== undefined) s[k] = v;
      }
      return s;
    }),
    host,
  };
}
