/**
 * A loopback control plane for the agent's tests: speaks the node API of src/model/agent-api.ts
 * on 127.0.0.1, checks every body's shape and the bearer token, stores health reports once per id
 * in arrival order, queues commands until acknowledged, and can go dark (refusing connections,
 * hanging, or answering 503) to simulate an outage.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type {
  CommandAck,
  CommandKind,
  HealthReport,
  HeartbeatRequest,
  NodeCommand,
  RegisterRequest,
  RegisterResponse,
} from '../../src/model/index.js';
import { ACK, HEALTH, HEARTBEAT, REGISTER, validate } from './api-shape.js';
import type { ControlPlaneOptions, ControlPlaneUnderTest } from './control-plane.js';

export type OutageMode = 'refuse' | 'hang' | 'error';

interface NodeRecord {
  registrations: RegisterRequest[];
  heartbeats: HeartbeatRequest[];
  reports: HealthReport[];
  /** When each stored report arrived (ms since epoch), by id. */
  arrivals: Map<string, number>;
  /** Every POST /health received, duplicates included. */
  deliveries: number;
  commands: NodeCommand[];
  acks: Array<{ commandId: string; ack: CommandAck }>;
}

export type ReceiverOptions = ControlPlaneOptions;

export class Receiver implements ControlPlaneUnderTest {
  private server: http.Server;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly tokens = new Map<string, string>();
  private mode: OutageMode | undefined;
  /** Requests held unanswered by a `hang` outage. */
  private readonly hung: ServerResponse[] = [];
  private nextCommand = 1;
  /** Bodies that failed the shape check: a test expects none. */
  readonly invalid: Array<{ route: string; errors: string[] }> = [];
  /** Requests refused for a bad or missing token. */
  unauthorised = 0;

  private constructor(private readonly opts: ReceiverOptions) {
    this.server = this.makeServer();
  }

  static async start(opts: ReceiverOptions = {}): Promise<Receiver> {
    const r = new Receiver(opts);
    await r.listen();
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private makeServer(): http.Server {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        resolve();
      });
    });
  }

  node(nodeId: string): NodeRecord {
    let n = this.nodes.get(nodeId);
    if (!n) {
      n = { registrations: [], heartbeats: [], reports: [], arrivals: new Map(), deliveries: 0, commands: [], acks: [] };
      this.nodes.set(nodeId, n);
    }
    return n;
  }

  async tokenFor(nodeId: string): Promise<string> {
    let t = this.tokens.get(nodeId);
    if (!t) {
      t = `nvt_${randomBytes(18).toString('base64url')}`;
      this.tokens.set(nodeId, t);
    }
    return t;
  }

  /** Forgets the node (as a control plane that lost its store): its next call gets 404. */
  async forget(nodeId: string): Promise<void> {
    this.nodes.delete(nodeId);
  }

  async storedAt(nodeId: string, reportId: string): Promise<number | undefined> {
    return this.nodes.get(nodeId)?.arrivals.get(reportId);
  }

  async hang(): Promise<void> {
    await this.outage('hang');
  }

  malformed(): Array<{ route: string; errors: string[] }> {
    return this.invalid;
  }

  async registrations(nodeId: string): Promise<RegisterRequest[]> {
    return this.node(nodeId).registrations;
  }
  async heartbeats(nodeId: string): Promise<HeartbeatRequest[]> {
    return this.node(nodeId).heartbeats;
  }
  async reports(nodeId: string): Promise<HealthReport[]> {
    return this.node(nodeId).reports;
  }
  async acks(nodeId: string): Promise<Array<{ commandId: string; ack: CommandAck }>> {
    return this.node(nodeId).acks;
  }

  async sendCommand(nodeId: string, kind: CommandKind, params?: Record<string, unknown>): Promise<string> {
    const id = `cmd-${this.nextCommand++}`;
    const c: NodeCommand = { id, kind, issuedAt: new Date().toISOString(), reason: `test ${kind}` };
    if (params) c.params = params;
    this.node(nodeId).commands.push(c);
    return id;
  }

  /** Goes dark: `refuse` closes the port, `hang` accepts and never answers, `error` answers 503. */
  async outage(mode: OutageMode): Promise<void> {
    this.mode = mode;
    if (mode === 'refuse') {
      const closed = new Promise<void>((r) => this.server.close(() => r()));
      for (const s of this.sockets) s.destroy();
      await closed;
      this.server = this.makeServer();
    }
  }

  async stop(): Promise<void> {
    await this.outage('refuse');
  }

  /** Answers again, on the same port. */
  async resume(): Promise<void> {
    const wasRefusing = this.mode === 'refuse';
    this.mode = undefined;
    if (wasRefusing) await this.listen();
    for (const res of this.hung.splice(0)) res.socket?.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server.listening ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.mode === 'hang') {
      this.hung.push(res); // never answered
      return;
    }
    const body = await readBody(req);
    if (this.mode === 'error') return send(res, 503, { error: { message: 'unavailable (test outage)' } });
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/v1\/nodes\/([^/]+)\/(register|heartbeat|health|commands)(?:\/([^/]+)\/(ack))?$/.exec(url.pathname);
    if (!m) return send(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
    const nodeId = decodeURIComponent(m[1] ?? '');
    const route = m[4] ? 'ack' : (m[2] ?? '');
    const token = this.tokens.get(nodeId);
    if (!token || req.headers.authorization !== `Bearer ${token}`) {
      this.unauthorised++;
      return send(res, 401, { error: { message: 'bad token' } });
    }
    let parsed: unknown;
    if (req.method === 'POST') {
      try {
        parsed = JSON.parse(body);
      } catch {
        this.invalid.push({ route, errors: ['body is not JSON'] });
        return send(res, 400, { error: { message: 'body is not JSON' } });
      }
    }
    const known = this.nodes.get(nodeId);
    const reject = (errors: string[]): void => {
      this.invalid.push({ route, errors });
      send(res, 400, { error: { message: errors.join('; ') } });
    };
    switch (route) {
      case 'register': {
        const errors = validate(parsed, REGISTER);
        if (errors.length) return reject(errors);
        this.node(nodeId).registrations.push(parsed as RegisterRequest);
        const reply: RegisterResponse = {
          nodeId,
          heartbeatIntervalSec: this.opts.intervals?.heartbeatIntervalSec ?? 30,
          healthIntervalSec: this.opts.intervals?.healthIntervalSec ?? 60,
          commandPollIntervalSec: this.opts.intervals?.commandPollIntervalSec ?? 10,
        };
        return send(res, 200, reply);
      }
      case 'heartbeat': {
        if (!known?.registrations.length) return send(res, 404, { error: { message: 'unknown node' } });
        const errors = validate(parsed, HEARTBEAT);
        if (errors.length) return reject(errors);
        known.heartbeats.push(parsed as HeartbeatRequest);
        return send(res, 200, { commands: this.pendingCommands(known) });
      }
      case 'health': {
        if (!known?.registrations.length) return send(res, 404, { error: { message: 'unknown node' } });
        const errors = validate(parsed, HEALTH);
        if (errors.length) return reject(errors);
        const report = parsed as HealthReport;
        known.deliveries++;
        if (known.arrivals.has(report.id)) return send(res, 200, { stored: false });
        known.arrivals.set(report.id, Date.now());
        known.reports.push(report);
        return send(res, 200, { stored: true });
      }
      case 'commands': {
        if (!known?.registrations.length) return send(res, 404, { error: { message: 'unknown node' } });
        return send(res, 200, { commands: this.pendingCommands(known) });
      }
      case 'ack': {
        if (!known) return send(res, 404, { error: { message: 'unknown node' } });
        const errors = validate(parsed, ACK);
        if (errors.length) return reject(errors);
        const commandId = decodeURIComponent(m[3] ?? '');
        if (!known.commands.some((c) => c.id === commandId)) return send(res, 404, { error: { message: 'unknown command' } });
        known.acks.push({ commandId, ack: parsed as CommandAck });
        return send(res, 200, {});
      }
    }
    return send(res, 404, {});
  }

  private pendingCommands(n: NodeRecord): NodeCommand[] {
    const acked = new Set(n.acks.map((a) => a.commandId));
    return n.commands.filter((c) => !acked.has(c.id));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
