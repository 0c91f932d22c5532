/**
 * Test helpers for the control plane: a real server on 127.0.0.1 over a store in a temp
 * directory, and an agent that speaks the agent API over HTTP the way the node agent does.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePolicy } from '../../src/health/index.js';
import { silentLogger, type Logger } from '../../src/log/index.js';
import { ManualClock, type CommandAck, type HealthEvent, type HealthReport, type HeartbeatRequest, type RegisterRequest } from '../../src/model/index.js';
import { loadWorkspaceDesired } from '../../src/engine/index.js';
import { readFakeState } from '../../src/providers/fake/index.js';
import {
  buildServer,
  ControlPlane,
  KnownTokens,
  Metrics,
  NodeService,
  nodeToken,
  NoopNotifier,
  parseControlPlane,
  routesOf,
  SqliteStore,
  type ControlPlaneEvent,
  type RouteInfo,
} from '../../src/server/index.js';

export const ADMIN = 'test-admin-token-0123456789';
export const SECRET = 'test-node-secret-0123456789';
/** The read-only token, where a test server is given one. */
export const READER = 'test-read-token-0123456789';
export const T0 = Date.parse('2026-01-01T00:00:00Z');

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** One HTTP call; the body is parsed as JSON when it is JSON. */
export async function call<T = Record<string, unknown>>(url: string, init: { method?: string; token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
  let body: string | undefined = init.raw;
  if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(url, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (metrics text): keep the text.
  }
  return { status: res.status, body: parsed as T };
}

export function registration(over: Partial<RegisterRequest> = {}): RegisterRequest {
  return {
    provider: 'local',
    instanceId: 'fake-000001',
    pool: 'train',
    instanceType: 'f1.8xh100',
    gpus: Array.from({ length: 8 }, (_, i) => ({
      index: i,
      uuid: `GPU-${i}`,
      pciBusId: `00000000:${(0x18 + i * 0x11).toString(16).toUpperCase()}:00.0`,
      name: 'NVIDIA H100 80GB HBM3',
      memoryMiB: 81559,
      driverVersion: '550.54.15',
      cudaVersion: '12.4',
    })),
    host: { hostname: 'train-1', agentVersion: '0.1.0', bootId: 'boot-1', kernel: '6.8.0' },
    bootChecks: [{ name: 'nvidia-smi', status: 'pass', message: '8 GPUs' }],
    ...over,
  };
}

/** What a node agent does, over HTTP, with its own token. */
export class TestAgent {
  private seq = 0;
  constructor(
    readonly base: string,
    readonly id: string,
    readonly token: string,
    readonly bootId = 'boot-1',
  ) {}
  register(over: Partial<RegisterRequest> = {}): Promise<Reply> {
    return call(`${this.base}/v1/nodes/${this.id}/register`, { token: this.token, body: registration({ host: { hostname: this.id, agentVersion: '0.1.0', bootId: this.bootId }, ...over }) });
  }
  heartbeat(gpus: HeartbeatRequest['gpus'] = [{ index: 0, temperatureC: 60, powerW: 500, utilizationPct: 90, memoryUsedMiB: 40000 }]): Promise<Reply<{ commands: Array<{ id: string; kind: string }> }>> {
    this.seq += 1;
    return call(`${this.base}/v1/nodes/${this.id}/heartbeat`, { token: this.token, body: { seq: this.seq, time: new Date(T0).toISOString(), gpus, host: { cpuPct: 10 } } });
  }
  report(events: HealthEvent[] = [], checks: HealthReport['checks'] = [{ name: 'nvml', status: 'pass', message: 'ok' }], id?: string): Promise<Reply<{ stored: boolean }>> {
    this.seq += 1;
    const body: HealthReport = { id: id ?? `${this.bootId}-${this.seq}`, seq: this.seq, time: new Date(T0).toISOString(), checks, events };
    return call(`${this.base}/v1/nodes/${this.id}/health`, { token: this.token, body });
  }
  commands(): Promise<Reply<{ commands: Array<{ id: string; kind: string; reason?: string }> }>> {
    return call(`${this.base}/v1/nodes/${this.id}/commands`, { token: this.token });
  }
  ack(commandId: string, ack: CommandAck = { result: 'ok' }): Promise<Reply> {
    return call(`${this.base}/v1/nodes/${this.id}/commands/${commandId}/ack`, { token: this.token, body: ack });
  }
}

export const xid = (n: number, gpu = 3, pci = '0000:4b:00'): HealthEvent => ({ kind: 'xid', time: new Date(T0).toISOString(), xid: n, gpu, pci, message: `NVRM: Xid (PCI:${pci}): ${n}` });

export interface TestServer {
  url: string;
  store: SqliteStore;
  nodes: NodeService;
  metrics: Metrics;
  clock: ManualClock;
  agent(id: string, bootId?: string): TestAgent;
  close(): Promise<void>;
}

/** A server without a reconcile loop, on 127.0.0.1 port 0, over a fresh store. */
export async function startServer(options: { bodyLimit?: number; readToken?: string; metricsToken?: string } = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'navarch-server-'));
  const store = SqliteStore.open(join(dir, 'cp.db'));
  const clock = new ManualClock(T0);
  const metrics = new Metrics();
  const known = new KnownTokens(SECRET);
  const nodes = new NodeService({
    store,
    clock,
    logger: silentLogger,
    metrics,
    policyFor: () => resolvePolicy({ unhealthyAfter: 2, autoReplace: true }),
    notifier: () => new NoopNotifier(silentLogger),
    intervals: () => ({ heartbeatIntervalMs: 30_000, healthIntervalMs: 60_000, commandPollIntervalMs: 10_000 }),
    startedAt: T0,
    known: (id) => known.add(id),
  });
  const auth = { adminToken: ADMIN, nodeSecret: SECRET, known, readToken: options.readToken, metricsToken: options.metricsToken };
  const app = buildServer({ nodes, store, metrics, auth, logger: silentLogger, bodyLimit: options.bodyLimit ?? 64 * 1024, clock });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    store,
    nodes,
    metrics,
    clock,
    agent: (id, bootId) => new TestAgent(url, id, nodeToken(SECRET, id), bootId),
    close: async () => {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something sleeps on the clock, so advancing it wakes that sleeper rather than racing it. */
export async function untilSleeping(clock: ManualClock): Promise<void> {
  while (clock.pending === 0) await new Promise((r) => setImmediate(r));
}

export interface TestControlPlane {
  url: string;
  dir: string;
  cp: ControlPlane;
  store: SqliteStore;
  clock: ManualClock;
  events: ControlPlaneEvent[];
  /** Every route the server registered. */
  routes: readonly RouteInfo[];
  /** Resolves with the first event (past or future) matching `pred`. */
  waitFor<E extends ControlPlaneEvent>(pred: (e: ControlPlaneEvent) => e is E): Promise<E>;
  agent(id: string, bootId?: string): TestAgent;
  live(): Promise<Array<{ id: string; node: string; state: string }>>;
  close(): Promise<void>;
}

/** A config repository on the fake cloud, a control plane over it on a ManualClock, and its server on 127.0.0.1. */
export interface ControlPlaneTestOptions {
  webhookSecret?: string;
  bodyLimit?: number;
  logger?: Logger;
  /** The read-only token the server takes (none by default). */
  readToken?: string;
  metricsToken?: string;
  /** The control plane's environment (e.g. where the fake cloud keeps its state). */
  env?: Record<string, string>;
}

export async function startControlPlane(files: Record<string, string>, options: ControlPlaneTestOptions = {}): Promise<TestControlPlane> {
  const dir = await mkdtemp(join(tmpdir(), 'navarch-cp-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  const clock = new ManualClock(T0);
  const desired = await loadWorkspaceDesired({ source: dir });
  const settings = parseControlPlane(desired.controlPlane);
  const store = SqliteStore.open(join(dir, settings.store));
  const known = new KnownTokens(SECRET);
  const events: ControlPlaneEvent[] = [];
  const waiters: Array<{ pred: (e: ControlPlaneEvent) => boolean; resolve: (e: ControlPlaneEvent) => void }> = [];
  const logger = options.logger ?? silentLogger;
  const cp = new ControlPlane({
    target: dir,
    clock,
    logger,
    env: options.env ?? {},
    store,
    settings,
    startedAt: T0,
    known: (id) => known.add(id),
    onEvent: (e) => {
      events.push(e);
      for (const w of [...waiters]) {
        if (w.pred(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    },
  });
  const auth = { adminToken: ADMIN, nodeSecret: SECRET, known, webhookSecret: options.webhookSecret, readToken: options.readToken, metricsToken: options.metricsToken };
  const app = buildServer({ nodes: cp.nodes, store, metrics: cp.metrics, auth, logger, bodyLimit: options.bodyLimit ?? 64 * 1024, control: cp, clock });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    dir,
    cp,
    store,
    clock,
    events,
    routes: routesOf(app),
    waitFor: <E extends ControlPlaneEvent>(pred: (e: ControlPlaneEvent) => e is E) =>
      new Promise<E>((resolve) => {
        const past = events.find(pred);
        if (past) resolve(past);
        else waiters.push({ pred, resolve: resolve as (e: ControlPlaneEvent) => void });
      }),
    agent: (id, bootId) => new TestAgent(url, id, nodeToken(SECRET, id), bootId),
    live: async () =>
      (await readFakeState(dir)).instances
        .filter((i) => i.state !== 'terminated')
        .map((i) => ({ id: i.id, node: i.tags['navarch-node'] ?? '', state: i.state }))
        .sort((a, b) => a.node.localeCompare(b.node)),
    close: async () => {
      await cp.close();
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
