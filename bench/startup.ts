/**
 * bench/startup: wall time of whole `navarch` processes beside `node -e 0` (the floor any Node.js
 * program pays), measured in the same run: `--version`, `--help`, and `plan` on a copy of the
 * quickstart (embedded fake cloud), once with its fake latency set to 0 (so the figure is start-up,
 * not cloud latency) and once with the quickstart's own latency. Rounds are interleaved (each round
 * runs every command once) so a machine that gets busier mid-run slows every row alike.
 * The build in lib/ must be current (npm run build).
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env['STARTUP_RUNS'] ?? 21);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function quickstartCopy(latency?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'navarch-startup-'));
  await cp(join(root, 'examples/quickstart'), dir, { recursive: true, filter: (s) => !s.includes('.navarch') && !s.endsWith('/status') });
  if (latency !== undefined) {
    const file = join(dir, 'navarch.yaml');
    const text = await readFile(file, 'utf8');
    const changed = text.replace(/^(\s*latency:\s*)\S+/m, `$1${latency}`);
    if (changed === text) throw new Error('the quickstart has no `latency:` line to change');
    await writeFile(file, changed);
  }
  return dir;
}

const zero = await quickstartCopy('0ms');
const own = await quickstartCopy();
const bin = join(root, 'bin/navarch.js');
const commands: Array<[string, string[]]> = [
  ['node -e 0', ['-e', '0']],
  ['navarch --version', [bin, '--version']],
  ['navarch --help', [bin, '--help']],
  ['navarch plan (quickstart, latency 0)', [bin, 'plan', '--dir', zero]],
  ['navarch plan (quickstart as shipped)', [bin, 'plan', '--dir', own]],
];

const times = commands.map((): number[] => []);
const env = { ...process.env, NO_COLOR: '1' };
for (const [, args] of commands) spawnSync(process.execPath, args, { env }); // warm the file cache
for (let round = 0; round < RUNS; round++) {
  commands.forEach(([name, args], i) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env });
    (times[i] as number[]).push(performance.now() - t);
    if (r.status !== 0 && r.status !== 2) throw new Error(`${name} failed (${String(r.status)}): ${r.stderr}`);
  });
}

const base = median(times[0] as number[]);
console.log(`wall time of a whole process, ${RUNS} interleaved runs each (node ${process.version})`);
console.log(`${'command'.padEnd(38)} median ms  min ms  × node -e 0`);
commands.forEach(([name], i) => {
  const t = times[i] as number[];
  const m = median(t);
  console.log(`${name.padEnd(38)} ${m.toFixed(0).padStart(9)}  ${Math.min(...t).toFixed(0).padStart(6)}  ${(m / base).toFixed(1).padStart(11)}`);
});
await rm(zero, { recursive: true, force: true });
await rm(own, { recursive: true, force: true });
