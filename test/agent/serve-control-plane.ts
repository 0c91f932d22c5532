/**
 * The agent's process tests against the real control plane: `navarch serve` run as a process on
 * 127.0.0.1 over a config repository on the fake cloud, with its own admin token and node secret.
 * What the tests read back comes from the admin API (`GET /v1/nodes/{id}`), or, while the server
 * is stopped, from its store through the same view the API answers with. An outage is the real
 * thing: SIGTERM, then a new process on the same port and store.
 *
 * The store keeps a node's latest registration and heartbeat only, so `registrations` and
 * `heartbeats` hold at most one each; reports keep their seq, time, events and the checks that
 * did not pass.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANAGED_BY_VALUE, TAG, type CommandAck, type CommandKind, type HealthEvent, type HealthReport, type HeartbeatRequest, type RegisterRequest } from '../../src/model/index.js';
import { fakeCloudAdmin } from '../../src/providers/fake/index.js';
import { DEFAULT_STORE, lockStore, nodeDetail, nodeToken, SqliteStore } from '../../src/server/index.js';
import { startServeProcess, type ServeProcess } from '../helpers/serve.js';
import type { ControlPlaneOptions, ControlPlaneUnderTest } from './control-plane.js';

const ADMIN_TOKEN = 'agent-tests-admin-token-0123456789';
const NODE_SECRET = 'agent-tests-node-secret-0123456789';
const FLEET = 'agent-tests';
const POOL = 'train';
const INSTANCE_TYPE = 'f1.8xh100';
/** Enough history for any one test's node (the API's largest page). */
const HISTORY = 5000;

/** The admin API's node detail, as far as these tests read it. */
interface NodeDetail {
  health: string;
  health_reason: string | null;
  registration: RegisterRequest | null;
  heartbeat: HeartbeatRequest | null;
  reports: Array<{ id: string; seq: number | null; time: string | null; received_at: string; checks: HealthReport['checks'] }>;
  events: Array<{ report_id: string; report_seq: number; index: number; received_at: string } & HealthEvent>;
  commands: Array<{ id: string; ack: (CommandAck & { at: string }) | null }>;
}

const seconds = (s: number | undefined, fallback: string): string => (s === undefined ? fallback : `${Math.round(s * 1000)}ms`);

/** A config repository: one protected pool, so serve never creates or removes the tests' nodes. */
async function configRepo(opts: ControlPlaneOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'navarch-agent-serve-'));
  await mkdir(join(dir, 'pools'));
  const i = opts.intervals ?? {};
  await writeFile(
    join(dir, 'navarch.yaml'),
    [
      `fleet: ${FLEET}`,
      'providers:',
      '  local: { type: fake, latency: 0s }',
      'control_plane:',
      `  heartbeat_interval: ${seconds(i.heartbeatIntervalSec, '30s')}`,
      `  health_interval: ${seconds(i.healthIntervalSec, '60s')}`,
      `  command_poll_interval: ${seconds(i.commandPollIntervalSec, '10s')}`,
      '',
    ].join('\n'),
  );
  // The nodes are made by hand (tokenFor) and live as long as their test: nothing to reconcile.
  await writeFile(join(dir, `pools/${POOL}.yaml`), `provider: local\ninstance_type: ${INSTANCE_TYPE}\nregion: local-1\nnodes: 0\nprotect: true\n`);
  return dir;
}

/** `navarch serve` over a config repository, stopped and started again at will. */
export class ServeControlPlane implements ControlPlaneUnderTest {
  private serve: ServeProcess | undefined;
  private port = 0;
  private output = '';
  private readonly tokens = new Map<string, string>();

  private constructor(private readonly dir: string) {}

  static async start(opts: ControlPlaneOptions = {}): Promise<ServeControlPlane> {
    const cp = new ServeControlPlane(await configRepo(opts));
    await cp.resume();
    return cp;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything serve printed so far, every run (stdout and stderr). */
  get log(): string {
    return this.output + (this.serve?.output() ?? '');
  }

  /** Starts serve (on the port of the first run, so agents find it again) and waits until it listens. */
  async resume(): Promise<void> {
    if (this.serve) return;
    const env = { NAVARCH_AUTH_TOKEN: ADMIN_TOKEN, NAVARCH_NODE_SECRET: NODE_SECRET, NAVARCH_LOG_LEVEL: 'debug' };
    this.serve = await startServeProcess(this.dir, { env, port: this.port });
    this.port = this.serve.port;
  }

  /** SIGTERM, as an operator or systemd stops it; resolves once the process is gone. */
  async stop(): Promise<void> {
    const serve = this.serve;
    if (!serve) return;
    this.serve = undefined;
    const code = await serve.stop();
    this.output += serve.output();
    if (code !== 0) throw new Error(`navarch serve exited with ${code} on SIGTERM:\n${serve.output().slice(-4000)}`);
  }

  async close(): Promise<void> {
    try {
      await this.stop();
      const leaked = [...this.tokens.values()].filter((t) => this.log.includes(t));
      if (leaked.length > 0) throw new Error('navarch serve printed a node token');
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /**
   * The node's token, derived as the server derives it. A real node exists before its agent
   * starts, so its instance is created in the fake cloud with navarch's tags on first call.
   */
  async tokenFor(nodeId: string): Promise<string> {
    let t = this.tokens.get(nodeId);
    if (!t) {
      await fakeCloudAdmin(this.dir).addForeignInstance({
        provider: 'local',
        instanceType: INSTANCE_TYPE,
        region: 'local-1',
        tags: { [TAG.managedBy]: MANAGED_BY_VALUE, [TAG.fleet]: FLEET, [TAG.pool]: POOL, [TAG.node]: nodeId },
      });
      t = nodeToken(NODE_SECRET, nodeId);
      this.tokens.set(nodeId, t);
    }
    return t;
  }

  private async admin<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** The node as the admin API shows it; from the store, through the same view, while serve is stopped. */
  private async detail(nodeId: string): Promise<NodeDetail | undefined> {
    if (this.serve) {
      const r = await this.admin<{ node: NodeDetail }>(`/v1/nodes/${nodeId}?limit=${HISTORY}`);
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw new Error(`GET /v1/nodes/${nodeId}: HTTP ${r.status}`);
      return r.body.node;
    }
    return this.withStore(async (store) => {
      const r = await store.getNode(nodeId);
      if (!r) return undefined;
      const [events, reports, commands] = await Promise.all([store.events(nodeId, HISTORY), store.reports(nodeId, HISTORY), store.commands(nodeId, HISTORY)]);
      const verdict = { health: 'unknown' as const, reason: 'navarch serve is stopped', since: undefined, cause: 'waiting' as const };
      return JSON.parse(JSON.stringify(nodeDetail(r, verdict, { events, reports, commands }))) as NodeDetail;
    });
  }

  /** Opens the store of a stopped serve, holding its owner lock as serve would. */
  private async withStore<T>(use: (store: SqliteStore) => Promise<T>): Promise<T> {
    const path = join(this.dir, DEFAULT_STORE);
    const release = lockStore(`${path}.owner`);
    const store = SqliteStore.open(path);
    try {
      return await use(store);
    } finally {
      await store.close();
      release();
    }
  }

  async registrations(nodeId: string): Promise<RegisterRequest[]> {
    const d = await this.detail(nodeId);
    return d?.registration ? [d.registration] : [];
  }

  async heartbeats(nodeId: string): Promise<HeartbeatRequest[]> {
    const d = await this.detail(nodeId);
    return d?.heartbeat ? [d.heartbeat] : [];
  }

  async reports(nodeId: string): Promise<HealthReport[]> {
    const d = await this.detail(nodeId);
    if (!d) return [];
    const byReport = new Map<string, HealthEvent[]>();
    for (const e of d.events) {
      const { report_id: id, report_seq: _seq, index: _index, received_at: _at, ...event } = e;
      byReport.set(id, [...(byReport.get(id) ?? []), event as HealthEvent]);
    }
    return d.reports.map((r) => ({ id: r.id, seq: r.seq ?? -1, time: r.time ?? '', checks: r.checks, events: byReport.get(r.id) ?? [] }));
  }

  async storedAt(nodeId: string, reportId: string): Promise<number | undefined> {
    const r = (await this.detail(nodeId))?.reports.find((x) => x.id === reportId);
    return r ? Date.parse(r.received_at) : undefined;
  }

  /** How the control plane judges the node now. */
  async health(nodeId: string): Promise<{ health: string; reason: string | undefined } | undefined> {
    if (!this.serve) throw new Error('navarch serve is stopped');
    const d = await this.detail(nodeId);
    return d ? { health: d.health, reason: d.health_reason ?? undefined } : undefined;
  }

  async sendCommand(nodeId: string, kind: CommandKind, params?: Record<string, unknown>): Promise<string> {
    const r = await this.admin<{ command: { id: string } }>(`/v1/nodes/${nodeId}/commands`, { method: 'POST', body: { kind, reason: `test ${kind}`, ...(params ? { params } : {}) } });
    if (r.status !== 201) throw new Error(`POST /v1/nodes/${nodeId}/commands: HTTP ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body.command.id;
  }

  async acks(nodeId: string): Promise<Array<{ commandId: string; ack: CommandAck }>> {
    const commands = (await this.detail(nodeId))?.commands ?? [];
    // Oldest first, then by when each was acknowledged (a stable sort keeps ties in queue order).
    return [...commands]
      .reverse()
      .flatMap((c) => (c.ack ? [{ commandId: c.id, at: c.ack.at, ack: c.ack }] : []))
      .sort((a, b) => a.at.localeCompare(b.at))
      .map(({ commandId, ack: { at: _at, ...ack } }) => ({ commandId, ack }));
  }

  /**
   * Forgets the node as the control plane does when its instance is gone: serve is stopped, the
   * node removed from its store, and serve started again. The agent's next call gets 404.
   */
  async forget(nodeId: string): Promise<void> {
    await this.stop();
    await this.withStore((store) => store.forgetNode(nodeId));
    await this.resume();
  }
}

/** The adapter entry point `startControlPlane()` in control-plane.ts loads. */
export function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlaneUnderTest> {
  return ServeControlPlane.start(opts);
}
