/**
 * bench/failover: how long from a fatal XID report to its replacement node being created, on the
 * real control plane (`startServe`: HTTP, store, the loop and its lifecycles) over the embedded
 * fake cloud. First a baseline, one XID in one pool; then 10 simultaneous fatal XIDs in 10 pools
 * of 6 nodes each (under the fleet breaker's 20%, and one per pool, within each pool's disruption
 * budget). The time is from sending the report to the control plane saying the replacement exists.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/log/index.js';
import { systemClock, type HealthReport, type RegisterRequest } from '../src/model/index.js';
import { nodeToken, startServe, type ControlPlaneEvent } from '../src/server/index.js';

const ENV = { NAVARCH_AUTH_TOKEN: 'bench-admin-token-0123456789', NAVARCH_NODE_SECRET: 'bench-node-secret-0123456789' };
const POOLS = Array.from({ length: 10 }, (_, i) => `p${i}`);
const NODES_PER_POOL = 6;
/** The fake cloud's launch time (BENCH_LATENCY, default none): a create returns once the launch is accepted and that time has passed. */
const LATENCY = process.env['BENCH_LATENCY'] ?? '0s';

const dir = await mkdtemp(join(tmpdir(), 'navarch-bench-failover-'));
await mkdir(join(dir, 'pools'));
await writeFile(join(dir, 'navarch.yaml'), `fleet: bench\nproviders:\n  local: { type: fake, latency: ${LATENCY} }\n`);
for (const p of ['base', ...POOLS]) {
  await writeFile(join(dir, `pools/${p}.yaml`), `provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: ${NODES_PER_POOL}\nmax_nodes: ${NODES_PER_POOL + 2}\n`);
}

/** When the control plane said each replacement exists (performance.now()), by the node it replaces. */
const created = new Map<string, number>();
const waiters = new Map<string, () => void>();
const onEvent = (e: ControlPlaneEvent): void => {
  if (e.type !== 'waiting-ready') return;
  created.set(e.replaces, performance.now());
  waiters.get(e.replaces)?.();
};
const server = await startServe({ dir, env: ENV, clock: systemClock, logger: silentLogger, listen: { host: '127.0.0.1', port: 0 }, intervalMs: 3_600_000, onEvent });
await server.controlPlane.idle();

const post = async (node: string, route: string, body: unknown): Promise<void> => {
  const res = await fetch(`${server.address}/v1/nodes/${node}/${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${nodeToken(ENV.NAVARCH_NODE_SECRET, node)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${route} of ${node}: ${res.status} ${await res.text()}`);
};
const registration = (node: string, pool: string): RegisterRequest => ({
  provider: 'local',
  instanceId: `fake-${node}`,
  pool,
  gpus: Array.from({ length: 8 }, (_, i) => ({ index: i, uuid: `GPU-${node}-${i}`, pciBusId: `00000000:${(0x18 + i).toString(16)}:00.0`, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 })),
  host: { hostname: node, agentVersion: 'bench', bootId: 'boot' },
  bootChecks: [],
});
let seq = 0;
const report = (node: string, fatal: boolean): HealthReport => {
  seq += 1;
  const time = new Date().toISOString();
  const events: HealthReport['events'] = fatal ? [{ kind: 'xid', time, xid: 79, gpu: 3, pci: '0000:4b:00', message: 'NVRM: Xid (PCI:0000:4b:00): 79' }] : [];
  return { id: `${node}-${seq}`, seq, time, checks: [{ name: 'nvml', status: 'pass', message: 'ok' }], events };
};

for (const p of ['base', ...POOLS]) {
  for (let i = 1; i <= NODES_PER_POOL; i++) {
    const node = `${p}-${i}`;
    await post(node, 'register', registration(node, p));
    await post(node, 'health', report(node, false));
  }
}

/** Sends a fatal XID for each node at once; resolves with each one's time to its replacement being created (ms). */
async function failover(nodes: string[]): Promise<number[]> {
  const done = nodes.map((n) => new Promise<void>((resolve) => waiters.set(n, resolve)));
  const sent = new Map<string, number>();
  await Promise.all(
    nodes.map(async (n) => {
      sent.set(n, performance.now());
      await post(n, 'health', report(n, true));
    }),
  );
  await Promise.all(done);
  return nodes.map((n) => (created.get(n) as number) - (sent.get(n) as number));
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};
const ms = (x: number): string => `${x.toFixed(0).padStart(6)} ms`;

const [baseline] = await failover(['base-1']);
await server.controlPlane.idle();
const wave = await failover(POOLS.map((p) => `${p}-1`));
await server.controlPlane.idle();
const total = NODES_PER_POOL * (POOLS.length + 1);

console.log(`XID report → replacement created, real control plane over the fake cloud (launch latency ${LATENCY}), ${total} nodes in ${POOLS.length + 1} pools`);
console.log(`${'case'.padEnd(44)}      p50        max`);
console.log(`${'baseline: 1 XID in 1 pool'.padEnd(44)} ${ms(baseline as number)} ${ms(baseline as number)}`);
console.log(`${`${POOLS.length} simultaneous XIDs in ${POOLS.length} pools`.padEnd(44)} ${ms(pct(wave, 50))} ${ms(Math.max(...wave))}`);
console.log(`all ${POOLS.length} within 2 s of their XIDs: ${wave.every((x) => x <= 2_000) ? 'yes' : 'no'}`);

await server.close();
await rm(dir, { recursive: true, force: true });
