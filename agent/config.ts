/**
 * The agent's configuration, from flags and the environment (flags win):
 * NAVARCH_SERVER, NAVARCH_NODE_ID, NAVARCH_NODE_TOKEN or NAVARCH_NODE_TOKEN_FILE, NAVARCH_POOL,
 * NAVARCH_EXPECT_GPUS. The token is never taken from a flag (it would show in `ps`), is registered
 * as a secret the moment it is read, and a token file is read again when it changes, so a token
 * can be rotated without a restart.
 */
import { readFileSync, statSync } from 'node:fs';
import { NavarchError, nodeIdProblem, parseDuration, registerSecret } from '../src/model/index.js';
import type { CloudChoice } from './cloud/index.js';
import type { GpuSourceChoice } from './gpu/index.js';
import { DEFAULT_THRESHOLDS, type HealthThresholds } from './health/index.js';

/** A flag or variable is missing or malformed. */
export class AgentConfigError extends NavarchError {
  constructor(message: string) {
    super('agent.config', message);
  }
}

export interface AgentConfig {
  server: string;
  nodeId: string;
  token: () => string;
  gpu: { choice: GpuSourceChoice; nvmlLib?: string; smiBinary?: string; fakeSpecFile?: string; fakeGpus?: number; sampleTimeoutMs: number };
  /** Absent: the kernel log is not followed. */
  kernelLog?: { path: string; journal: boolean; fromStart: boolean; pollMs: number; journalctl?: string };
  cloud: { choice: CloudChoice; metadataUrl?: string; spotPollMs: number; gcpWaitSec: number; timeoutMs: number };
  /** What registration says about the machine when the metadata service does not (or to override it). */
  identity: { provider?: string; instanceId?: string; instanceType?: string; region?: string; zone?: string; pool?: string };
  expectGpus?: number;
  intervals: { heartbeatMs: number; healthMs: number; commandMs: number };
  /** Intervals set by flag: the control plane's register reply does not change those. */
  fixedIntervals: { heartbeat: boolean; health: boolean; command: boolean };
  bufferSize: number;
  stateDir?: string;
  dcgm: 'auto' | 'off';
  dcgmiBinary?: string;
  commandHook?: string;
  hookTimeoutMs: number;
  terminateCommand: string[];
  requestTimeoutMs: number;
  thresholds: HealthThresholds;
  /** How long a stopping agent keeps trying to deliver what it holds. */
  flushOnExitMs: number;
}

/** Defaults from the original navarch agent: heartbeat 30 s, health 60 s, command poll 10 s. */
export const DEFAULT_INTERVALS = { heartbeatMs: 30_000, healthMs: 60_000, commandMs: 10_000 } as const;
export const DEFAULT_BUFFER_SIZE = 512;
export const DEFAULT_TERMINATE_COMMAND = ['shutdown', '-h', '+1', 'navarch: the control plane terminated this node'];

/** The flags as commander parses them (strings, booleans); every one optional. */
export interface AgentFlags {
  server?: string;
  nodeId?: string;
  tokenFile?: string;
  gpuSource?: string;
  fakeGpus?: string;
  fakeSpec?: string;
  nvmlLib?: string;
  nvidiaSmi?: string;
  sampleTimeout?: string;
  kmsg?: string | boolean;
  kmsgFromStart?: boolean;
  journal?: boolean;
  journalctl?: string;
  cloud?: string;
  metadataUrl?: string;
  spotPollInterval?: string;
  /** `--provider-name`: the provider's name in navarch.yaml (navarch's `--provider` is a provider type). */
  providerName?: string;
  instanceId?: string;
  instanceType?: string;
  region?: string;
  zone?: string;
  pool?: string;
  expectGpus?: string;
  heartbeatInterval?: string;
  healthInterval?: string;
  commandInterval?: string;
  bufferSize?: string;
  stateDir?: string;
  dcgm?: string;
  dcgmi?: string;
  commandHook?: string;
  hookTimeout?: string;
  terminateCommand?: string;
  requestTimeout?: string;
  temperatureWarn?: string;
}

function duration(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < min) throw new AgentConfigError(`--${name}: expected a duration such as 30s, 2m or 500ms, got '${text}'`);
  return ms;
}

function count(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min) throw new AgentConfigError(`--${name}: expected a whole number of at least ${min}, got '${text}'`);
  return n;
}

function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  const v = allowed.find((a) => a === text.trim().toLowerCase());
  if (!v) throw new AgentConfigError(`--${name}: expected one of ${allowed.join(', ')}, got '${text}'`);
  return v;
}

/** Reads the token from `NAVARCH_NODE_TOKEN`, or from a file, re-read when the file changes. */
export function tokenSource(env: Readonly<Record<string, string | undefined>>, fileFlag?: string): () => string {
  const direct = env['NAVARCH_NODE_TOKEN']?.trim();
  const file = fileFlag ?? env['NAVARCH_NODE_TOKEN_FILE'];
  if (direct && !fileFlag) {
    registerSecret(direct);
    return () => direct;
  }
  if (!file) throw new AgentConfigError('no node token: set NAVARCH_NODE_TOKEN or NAVARCH_NODE_TOKEN_FILE, or pass --token-file');
  let seen = '';
  let token = '';
  const read = (): string => {
    try {
      const st = statSync(file);
      const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
      if (stamp !== seen) {
        const t = readFileSync(file, 'utf8').trim();
        if (t) {
          registerSecret(t);
          token = t;
          seen = stamp;
        }
      }
    } catch (err) {
      if (!token) throw new AgentConfigError(`cannot read the node token file ${file}: ${(err as Error).message}`);
    }
    if (!token) throw new AgentConfigError(`the node token file ${file} is empty`);
    return token;
  };
  read();
  return read;
}

export function resolveConfig(flags: AgentFlags, env: Readonly<Record<string, string | undefined>>): AgentConfig {
  const server = (flags.server ?? env['NAVARCH_SERVER'] ?? '').trim();
  if (!server) throw new AgentConfigError('no control plane: pass --server URL or set NAVARCH_SERVER');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new AgentConfigError(`--server: not a URL: '${server}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AgentConfigError(`--server: expected an http(s) URL, got '${server}'`);
  const nodeId = (flags.nodeId ?? env['NAVARCH_NODE_ID'] ?? '').trim();
  if (!nodeId) throw new AgentConfigError('no node id: pass --node-id NAME or set NAVARCH_NODE_ID (the navarch node name, e.g. train-3)');
  // The control plane would answer 401 to every call, and the agent would retry for ever.
  const badId = nodeIdProblem(nodeId);
  if (badId) throw new AgentConfigError(`--node-id: ${badId}`);

  const choice = oneOf<GpuSourceChoice>('gpu-source', flags.gpuSource, ['auto', 'nvml', 'nvidia-smi', 'fake'], flags.fakeGpus || flags.fakeSpec ? 'fake' : 'auto');
  const fakeGpus = count('fake-gpus', flags.fakeGpus, 0);
  const gpu: AgentConfig['gpu'] = { choice, sampleTimeoutMs: duration('sample-timeout', flags.sampleTimeout, 10_000, 100) };
  if (flags.nvmlLib) gpu.nvmlLib = flags.nvmlLib;
  if (flags.nvidiaSmi) gpu.smiBinary = flags.nvidiaSmi;
  if (flags.fakeSpec) gpu.fakeSpecFile = flags.fakeSpec;
  if (fakeGpus !== undefined) gpu.fakeGpus = fakeGpus;

  const cloud: AgentConfig['cloud'] = {
    choice: oneOf<CloudChoice>('cloud', flags.cloud, ['auto', 'aws', 'gcp', 'none'], 'auto'),
    spotPollMs: duration('spot-poll-interval', flags.spotPollInterval, 5_000, 100),
    gcpWaitSec: 60,
    timeoutMs: 2_000,
  };
  if (flags.metadataUrl) cloud.metadataUrl = flags.metadataUrl;

  const identity: AgentConfig['identity'] = {};
  const pool = flags.pool ?? env['NAVARCH_POOL'];
  for (const [k, v] of [
    ['provider', flags.providerName],
    ['instanceId', flags.instanceId],
    ['instanceType', flags.instanceType],
    ['region', flags.region],
    ['zone', flags.zone],
    ['pool', pool],
  ] as const) {
    if (v) identity[k] = v;
  }

  const hookTimeoutMs = duration('hook-timeout', flags.hookTimeout, 30 * 60_000);
  const temp = flags.temperatureWarn === undefined ? DEFAULT_THRESHOLDS.temperatureWarnC : Number(flags.temperatureWarn);
  if (!Number.isFinite(temp)) throw new AgentConfigError(`--temperature-warn: expected degrees Celsius, got '${flags.temperatureWarn}'`);

  const config: AgentConfig = {
    server,
    nodeId,
    token: tokenSource(env, flags.tokenFile),
    gpu,
    cloud,
    identity,
    intervals: {
      heartbeatMs: duration('heartbeat-interval', flags.heartbeatInterval, DEFAULT_INTERVALS.heartbeatMs, 100),
      healthMs: duration('health-interval', flags.healthInterval, DEFAULT_INTERVALS.healthMs, 100),
      commandMs: duration('command-interval', flags.commandInterval, DEFAULT_INTERVALS.commandMs, 100),
    },
    fixedIntervals: {
      heartbeat: flags.heartbeatInterval !== undefined,
      health: flags.healthInterval !== undefined,
      command: flags.commandInterval !== undefined,
    },
    bufferSize: count('buffer-size', flags.bufferSize, 3) ?? DEFAULT_BUFFER_SIZE,
    dcgm: oneOf('dcgm', flags.dcgm, ['auto', 'off'], 'auto'),
    hookTimeoutMs,
    terminateCommand: flags.terminateCommand ? splitCommand(flags.terminateCommand) : [...DEFAULT_TERMINATE_COMMAND],
    requestTimeoutMs: duration('request-timeout', flags.requestTimeout, 10_000, 100),
    thresholds: { temperatureWarnC: temp },
    flushOnExitMs: 3_000,
  };
  if (flags.kmsg !== false) {
    config.kernelLog = {
      path: typeof flags.kmsg === 'string' ? flags.kmsg : '/dev/kmsg',
      journal: flags.journal === true,
      fromStart: flags.kmsgFromStart === true,
      pollMs: 250,
    };
    if (flags.journalctl) config.kernelLog.journalctl = flags.journalctl;
  }
  const expect = count('expect-gpus', flags.expectGpus ?? env['NAVARCH_EXPECT_GPUS'], 0);
  if (expect !== undefined) config.expectGpus = expect;
  if (flags.stateDir) config.stateDir = flags.stateDir;
  if (flags.dcgmi) config.dcgmiBinary = flags.dcgmi;
  if (flags.commandHook) config.commandHook = flags.commandHook;
  return config;
}

/** Splits a command line on spaces, honouring single and double quotes (no other shell syntax). */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}
