/**
 * bench/ingest: health reports per second and latency of `POST /v1/nodes/{id}/health` on the real
 * control plane (per-node token check and limits, schema validation, classification, SQLite group
 * commit), beside a bare fastify route that parses the same requests and answers the same reply;
 * then the same load on the real control plane while one node floods it with 200 KB reports of new
 * ids (what a stolen node token can do), to show what the flood costs everyone else. Each server
 * runs in its own process; autocannon drives them from this one, in one run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { resolvePolicy } from '../src/health/index.js';
import { silentLogger } from '../src/log/index.js';
import { systemClock, type HealthReport, type RegisterRequest } from '../src/model/index.js';
import { buildServer, KnownTokens, Metrics, NodeService, nodeToken, NoopNotifier, SqliteStore } from '../src/server/index.js';

const SECRET = 'bench-node-secret-0123456789';
const NODES = 200;
const CONNECTIONS = 32;
const DURATION_S = 10;
/** The flooding node's connections, and the store budget both real servers run with (small, so the flood meets it). */
const FLOOD_CONNECTIONS = 8;
const STORE_MAX_BYTES = 16 * 1024 * 1024;

interface Result {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<Result>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** A report as an 8-GPU node's agent sends it every minute: six checks, and now and then an event. */
function report(id: string, seq: number): HealthReport {
  const time = new Date().toISOString();
  return {
    id,
    seq,
    time,
    checks: ['nvml', 'ecc', 'temperature', 'pcie', 'nvlink', 'xid'].map((name) => ({ name, status: 'pass', message: 'ok' })),
    events: seq % 10 === 0 ? [{ kind: 'thermal', time, gpu: seq % 8, temperatureC: 84, throttleReasons: ['SwPowerCap'] }] : [],
  };
}

/** What the flood sends: 50 events of about 4 KB, about 200 KB a report, each with a new id. */
function floodReport(n: number): HealthReport {
  const time = new Date().toISOString();
  const events = Array.from({ length: 50 }, (_, i) => ({ kind: 'xid' as const, time, xid: 13, gpu: i % 8, message: `NVRM: Xid 13 ${'x'.repeat(3900)}` }));
  return { id: `flood-${n}`, seq: n, time, checks: [], events };
}

function registration(id: string): RegisterRequest {
  return {
    provider: 'local',
    instanceId: `fake-${id}`,
    pool: 'bench',
    gpus: Array.from({ length: 8 }, (_, i) => ({ index: i, uuid: `GPU-${i}`, pciBusId: `00000000:${(0x18 + i).toString(16)}:00.0`, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 })),
    host: { hostname: id, agentVersion: 'bench', bootId: 'boot' },
    bootChecks: [],
  };
}

async function child(kind: string): Promise<void> {
  let address: string;
  if (kind === 'real') {
    const dir = await mkdtemp(join(tmpdir(), 'navarch-bench-'));
    const store = SqliteStore.open(join(dir, 'cp.db'));
    let evicted = 0;
    store.limit(STORE_MAX_BYTES, (e) => (evicted += e.records));
    const known = new KnownTokens(SECRET);
    const metrics = new Metrics();
    const nodes = new NodeService({
      store,
      clock: systemClock,
      logger: silentLogger,
      metrics,
      policyFor: () => resolvePolicy(undefined),
      notifier: () => new NoopNotifier(silentLogger),
      intervals: () => ({ heartbeatIntervalMs: 30_000, healthIntervalMs: 60_000, commandPollIntervalMs: 10_000 }),
      startedAt: Date.now(),
      known: (id) => known.add(id),
    });
    for (let i = 0; i < NODES; i++) await nodes.register(`node-${i}`, registration(`node-${i}`));
    const app = buildServer({ nodes, store, metrics, auth: { adminToken: 'bench-admin-token-0123456789', nodeSecret: SECRET, known }, logger: silentLogger, bodyLimit: 256 * 1024 });
    address = await app.listen({ host: '127.0.0.1', port: 0 });
    process.on('SIGTERM', () => {
      void app.close().then(async () => {
        const stored = (await store.listNodes()).reduce((s, n) => s + n.health.evaluations, 0);
        const usage = await store.usage();
        process.stdout.write(`stored ${stored} file ${usage.fileBytes} evicted ${evicted}\n`);
        await store.close();
        await rm(dir, { recursive: true, force: true });
        process.exit(0);
      });
    });
  } else {
    const app = Fastify();
    app.post('/v1/nodes/:id/health', async () => ({ stored: true }));
    address = await app.listen({ host: '127.0.0.1', port: 0 });
    process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  }
  process.stdout.write(`listening ${address}\n`);
}

function start(kind: string): Promise<{ proc: ChildProcess; url: string; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\S+)/.exec(out);
      if (m?.[1]) resolve({ proc, url: m[1], output: () => out });
    });
    proc.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

async function drive(url: string, first = 0): Promise<Result> {
  let n = 0;
  const tokens = Array.from({ length: NODES }, (_, i) => nodeToken(SECRET, `node-${i}`));
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: Record<string, unknown>) => {
          n += 1;
          const node = first + (n % (NODES - first));
          return {
            ...req,
            path: `/v1/nodes/node-${node}/health`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[node] ?? ''}` },
            body: JSON.stringify(report(`boot-${n}`, n)),
          };
        },
      },
    ],
  });
}

/** node-0 sending as fast as it can, every report new. */
async function flood(url: string): Promise<Result> {
  let n = 0;
  const token = nodeToken(SECRET, 'node-0');
  return autocannon({
    url,
    connections: FLOOD_CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          path: '/v1/nodes/node-0/health',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(floodReport(++n)),
        }),
      },
    ],
  });
}

const row = (label: string, r: Result, extra = ''): string =>
  `${label.padEnd(44)} ${r.requests.average.toFixed(0).padStart(7)}   ${r.latency.p50.toFixed(1).padStart(6)}   ${r.latency.p99.toFixed(1).padStart(6)}   ${String(r.non2xx + r.errors).padStart(7)}${extra}`;

async function stop(server: Awaited<ReturnType<typeof start>>): Promise<string> {
  const exited = new Promise((resolve) => server.proc.once('exit', resolve));
  server.proc.kill('SIGTERM');
  await exited;
  const m = /stored (\d+) file (\d+) evicted (\d+)/.exec(server.output());
  return m ? `   (${m[1]} reports stored; store file ${(Number(m[2]) / 2 ** 20).toFixed(1)} MiB, ${m[3]} records evicted)` : '';
}

async function main(): Promise<void> {
  console.log(`POST /v1/nodes/{id}/health, ${NODES} nodes, ${CONNECTIONS} connections, ${DURATION_S}s each; body ${JSON.stringify(report('boot-1', 1)).length} bytes`);
  console.log(`flood: node-0 on ${FLOOD_CONNECTIONS} more connections, ${JSON.stringify(floodReport(1)).length}-byte reports of new ids; store_max_bytes ${STORE_MAX_BYTES / 2 ** 20} MiB`);
  console.log(`${'server'.padEnd(44)}   req/s     p50 ms   p99 ms   non-2xx`);
  const bare = await start('bare');
  const b = await drive(bare.url);
  await stop(bare);
  console.log(row('bare fastify route', b));

  const quiet = await start('real');
  const q = await drive(quiet.url);
  console.log(row('navarch control plane', q, await stop(quiet)));

  const flooded = await start('real');
  // The other 199 nodes, as above, while node-0 floods: their latency beside the run without a flood.
  const [others, f] = await Promise.all([drive(flooded.url, 1), flood(flooded.url)]);
  const stored = await stop(flooded);
  console.log(row('navarch control plane, during a flood', others, stored));
  console.log(row('  the flood itself (node-0; 429 once past its limit)', f, `   (${f.requests.total} sent, ${f.non2xx} answered 429)`));
}

if (process.argv[2] === '--child') await child(process.argv[3] ?? 'bare');
else await main();
