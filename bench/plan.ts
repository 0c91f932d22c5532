/**
 * bench/plan: plan() time and peak memory for 1k, 10k and 100k observed nodes across 100 pools,
 * beside the time to JSON.parse the same observed state. Each size runs in a fresh child process
 * so its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { plan } from '../src/plan/index.js';
import { desired, node, observed, pool } from '../src/plan/testing.js';
import type { ObservedNode } from '../src/model/index.js';

const POOLS = 100;
const SIZES = [1_000, 10_000, 100_000];
const RUNS = 5;

function inputs(total: number) {
  const perPool = total / POOLS;
  // Each pool is one node short of its target and has one unhealthy node, so every run plans real work.
  const pools = Array.from({ length: POOLS }, (_, i) => pool(`pool-${String(i).padStart(3, '0')}`, { labels: { team: 'ml' }, minNodes: perPool + 1, targetNodes: perPool + 1, maxNodes: perPool + 10 }));
  const nodes: ObservedNode[] = [];
  for (const p of pools) {
    for (let o = 1; o <= perPool; o++) {
      nodes.push(node(p.name, o, { health: o === 1 ? 'unhealthy' : 'healthy', labels: { team: 'ml' } }));
    }
  }
  return { d: desired(pools), o: observed(nodes) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function child(total: number): void {
  const { d, o } = inputs(total);
  const json = JSON.stringify(o);
  const planTimes: number[] = [];
  const parseTimes: number[] = [];
  let actions = 0;
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    const p = plan(d, o, { now: 0 });
    planTimes.push(performance.now() - t);
    actions = p.actions.length;
    t = performance.now();
    JSON.parse(json);
    parseTimes.push(performance.now() - t);
  }
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({ total, actions, planMs: median(planTimes), parseMs: median(parseTimes), jsonMiB: json.length / 2 ** 20, rssMiB }) + '\n',
  );
}

if (process.argv[2] === '--child') {
  child(Number(process.argv[3]));
} else {
  console.log(`plan() over ${POOLS} pools; median of ${RUNS} runs; peak RSS of a process that built the inputs and ran both.`);
  console.log('nodes     actions  plan ms   JSON.parse ms  observed JSON  peak RSS');
  for (const total of SIZES) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(total)], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    const m = JSON.parse(r.stdout) as { total: number; actions: number; planMs: number; parseMs: number; jsonMiB: number; rssMiB: number };
    console.log(
      `${String(m.total).padEnd(9)} ${String(m.actions).padEnd(8)} ${m.planMs.toFixed(1).padStart(7)}   ${m.parseMs.toFixed(1).padStart(13)}  ${m.jsonMiB.toFixed(1).padStart(9)} MiB  ${m.rssMiB.toFixed(0).padStart(5)} MiB`,
    );
  }
}
