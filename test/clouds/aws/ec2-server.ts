/**
 * A loopback EC2 endpoint speaking the EC2 Query protocol: form-encoded POSTs signed with SigV4,
 * XML answers in the 2016-11-15 namespace, EC2 error documents with EC2's HTTP statuses. The real
 * `@aws-sdk/client-ec2` is pointed at it. It keeps instances per region (the region comes from the
 * SigV4 credential scope), paginates, and fails on demand as EC2 does: throttling, capacity, quota,
 * auth, invalid requests, server errors, and replies lost after the work was done.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { changeTags, describeInstances, terminateInstances } from './describe.js';
import { parseForm, toTree, type QueryTree } from './query.js';
import { runInstances, type World } from './run-instances.js';
import { capacityKey, Ec2Fault, instanceId, type Ec2Account, type Ec2Instance, type Ec2State } from './state.js';
import { errorDocument, responseDocument, reservationXml } from './xml.js';

export const API_VERSION = '2016-11-15';

/** One request as the server received it. */
export interface RecordedRequest {
  action: string;
  region: string;
  /** The flat form parameters, as sent on the wire. */
  params: Record<string, string>;
  authorization: string | undefined;
  /** `X-Amz-Security-Token`, sent with temporary credentials. */
  securityToken: string | undefined;
  contentType: string | undefined;
}

/** A failure to answer the next matching calls with. */
export interface Injection {
  /** Only this action (default: any). */
  action?: string;
  region?: string;
  code: string;
  status: number;
  message?: string;
  times: number;
}

/** The error classes tests ask for, as EC2 reports each (code and HTTP status). */
export const CLASS_ERRORS = {
  capacity: { code: 'InsufficientInstanceCapacity', status: 500 },
  quota: { code: 'VcpuLimitExceeded', status: 400 },
  throttled: { code: 'RequestLimitExceeded', status: 503 },
  auth: { code: 'AuthFailure', status: 401 },
  invalid: { code: 'InvalidParameterValue', status: 400 },
  transient: { code: 'InternalError', status: 500 },
} as const;

export interface FakeEc2Options {
  /** The access key id requests must be signed with. */
  accessKeyId: string;
  /** Most instances per DescribeInstances page, whatever MaxResults asks (default 1000). */
  pageSize?: number;
  images?: string[];
  /** Subnet id → zone. */
  subnets?: Record<string, string>;
  securityGroups?: string[];
  keyNames?: string[];
}

const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/ec2\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/;

/** The loopback EC2. `start()` it, point the SDK's endpoint at `url`, `close()` it. */
export class FakeEc2Server {
  readonly requests: RecordedRequest[] = [];
  readonly world: World;
  /** Instances tag filters do not find yet (EC2's eventual consistency); ids and client tokens still do. */
  readonly hidden = new Set<string>();
  pageSize: number;
  private injections: Injection[] = [];
  private drops: Array<{ action: string; times: number }> = [];
  private server: Server | undefined;
  private readonly accessKeyId: string;

  constructor(options: FakeEc2Options) {
    this.accessKeyId = options.accessKeyId;
    this.pageSize = options.pageSize ?? 1000;
    const account: Ec2Account = {
      ownerId: '123456789012',
      images: new Set(options.images ?? []),
      subnets: new Map(Object.entries(options.subnets ?? {})),
      securityGroups: new Set(options.securityGroups ?? []),
      keyNames: new Set(options.keyNames ?? []),
      capacity: new Map(),
      spotPrices: new Map(),
    };
    this.world = { account, instances: new Map(), serial: 0x0abc0000, now: () => new Date('2026-01-01T00:00:00Z') };
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error('server not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Answers the next `times` matching calls with an EC2 error. */
  inject(injection: Omit<Injection, 'status' | 'times'> & { status?: number; times?: number }): void {
    this.injections.push({ status: 400, times: 1, ...injection });
  }

  /** Does the next `times` calls of `action`, then closes the connection instead of answering. */
  dropReplies(action: string, times = 1): void {
    this.drops.push({ action, times });
  }

  /** At most `count` live instances of `instanceType` in `zone`. */
  setCapacity(instanceType: string, zone: string, count: number): void {
    this.world.account.capacity.set(capacityKey(instanceType, zone), count);
  }

  setSpotPrice(instanceType: string, price: number): void {
    this.world.account.spotPrices.set(instanceType, price);
  }

  /** Creates a running instance directly, as something other than navarch would. */
  seed(spec: { region: string; tags: Record<string, string>; instanceType?: string; zone?: string; state?: Ec2State }): Ec2Instance {
    const serial = ++this.world.serial;
    const inst: Ec2Instance = {
      id: instanceId(serial),
      region: spec.region,
      zone: spec.zone ?? `${spec.region}a`,
      subnetId: undefined,
      reservationId: `r-${serial.toString(16).padStart(17, '0')}`,
      imageId: 'ami-0123456789abcdef0',
      instanceType: spec.instanceType ?? 'g6.xlarge',
      state: spec.state ?? 'running',
      spot: false,
      maxPrice: undefined,
      tags: { ...spec.tags },
      otherTags: {},
      clientToken: undefined,
      fingerprint: '',
      keyName: undefined,
      securityGroups: [],
      iamInstanceProfile: undefined,
      userData: undefined,
      launchTime: '2025-12-31T00:00:00.000Z',
      privateIp: `10.1.${Math.floor(serial / 250) % 250}.${(serial % 250) + 4}`,
      publicIp: `198.51.100.${(serial % 250) + 1}`,
    };
    this.world.instances.set(inst.id, inst);
    return inst;
  }

  /** Moves time on: pending instances run, shutting-down ones are terminated. */
  settle(): void {
    for (const i of this.world.instances.values()) {
      if (i.state === 'pending') i.state = 'running';
      if (i.state === 'shutting-down') i.state = 'terminated';
    }
  }

  /** Requests of one action. */
  calls(action: string): RecordedRequest[] {
    return this.requests.filter((r) => r.action === action);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const requestId = randomUUID();
    const send = (status: number, xml: string): void => {
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId });
      res.end(xml);
    };
    const params = parseForm(Buffer.concat(chunks).toString('utf8'));
    const action = params['Action'] ?? '';
    const authorization = req.headers['authorization'];
    const scope = typeof authorization === 'string' ? SIGV4.exec(authorization) : null;
    const region = scope?.[3] ?? '';
    const securityToken = req.headers['x-amz-security-token'];
    this.requests.push({
      action,
      region,
      params,
      authorization,
      securityToken: typeof securityToken === 'string' ? securityToken : undefined,
      contentType: req.headers['content-type'],
    });
    try {
      if (req.method !== 'POST' || req.url !== '/') throw new Ec2Fault('InvalidAction', `${req.method ?? ''} ${req.url ?? ''} is not an EC2 Query request`);
      // The signature itself is not checked: the key id and the credential scope are.
      if (!scope || scope[1] !== this.accessKeyId || !scope[4]?.split(';').includes('x-amz-date')) {
        throw new Ec2Fault('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      }
      if (params['Version'] !== API_VERSION) throw new Ec2Fault('InvalidParameterValue', `Unsupported API version ${params['Version'] ?? ''}`);
      this.takeInjection(action, region);
      const body = this.dispatch(action, region, params, toTree(params));
      const drop = this.drops.find((d) => d.action === action && d.times > 0);
      if (drop) {
        drop.times--;
        // The work is done; the reply is lost on the way back.
        res.socket?.destroy();
        return;
      }
      send(200, responseDocument(action, requestId, body));
    } catch (err) {
      if (!(err instanceof Ec2Fault)) throw err;
      send(err.status, errorDocument(err.code, err.message, requestId));
    }
  }

  private takeInjection(action: string, region: string): void {
    const hit = this.injections.find((i) => i.times > 0 && (i.action === undefined || i.action === action) && (i.region === undefined || i.region === region));
    if (!hit) return;
    hit.times--;
    throw new Ec2Fault(hit.code, hit.message ?? `${hit.code} (injected)`, hit.status);
  }

  private dispatch(action: string, region: string, params: Record<string, string>, tree: QueryTree): string {
    switch (action) {
      case 'RunInstances': {
        const launched = runInstances(this.world, region, params, tree);
        const first = launched[0] as Ec2Instance;
        return reservationXml(first.reservationId, this.world.account.ownerId, launched);
      }
      case 'DescribeInstances':
        return describeInstances(this.world, region, tree, this.pageSize, this.hidden);
      case 'TerminateInstances':
        return terminateInstances(this.world, region, tree);
      case 'CreateTags':
        return changeTags(this.world, region, tree, false);
      case 'DeleteTags':
        return changeTags(this.world, region, tree, true);
      default:
        throw new Ec2Fault('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }
}
