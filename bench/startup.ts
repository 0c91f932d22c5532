/**
 * bench/startup: how long `navarch plan` takes to start and finish on the quickstart (embedded fake
 * cloud), beside `node -e 0` (the floor any Node.js program pays), and `navarch --version`.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(args: string[]): { median: number; min: number } {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    times.push(performance.now() - t);
    if (r.status !== 0 && r.status !== 2) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  return { median: median(times), min: Math.min(...times) };
}

const dir = await mkdtemp(join(tmpdir(), 'navarch-startup-'));
await cp(join(root, 'examples/quickstart'), dir, { recursive: true, filter: (s) => !s.includes('.navarch') && !s.endsWith('/status') });
spawnSync(process.execPath, ['-e', '0']); // warm the file cache
const bin = join(root, 'bin/navarch.js');
const rows: Array<[string, { median: number; min: number }]> = [
  ['node -e 0', time(['-e', '0'])],
  ['navarch --version', time([bin, '--version'])],
  ['navarch plan (quickstart)', time([bin, 'plan', '--dir', dir])],
];
console.log(`wall time of a whole process, ${RUNS} runs each (build in lib/ must be current: npm run build)`);
console.log('command                     median ms  min ms');
for (const [name, t] of rows) console.log(`${name.padEnd(27)} ${t.median.toFixed(0).padStart(9)}  ${t.min.toFixed(0).padStart(6)}`);
await rm(dir, { recursive: true, force: true });
