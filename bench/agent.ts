/**
 * bench/agent: the node agent's footprint. Runs the built `navarch-agent` with 8 fake GPUs against
 * the loopback test receiver and reads its resident memory and CPU time from /proc. First at the
 * default intervals (heartbeat 30 s, health 60 s, command poll 10 s) for BENCH_AGENT_SECONDS
 * (default 60), then briefly at 1 s intervals for comparison. Prints figures; asserts nothing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Receiver } from '../test/agent/receiver.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/navarch-agent.js');
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function cpuTicks(pid: number): number {
  // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function memKiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

interface Result {
  label: string;
  seconds: number;
  startupMs: number;
  rssStartMiB: number;
  rssEndMiB: number;
  peakMiB: number;
  cpuPct: number;
  heartbeats: number;
  reports: number;
}

async function measure(label: string, seconds: number, intervals: { heartbeatIntervalSec: number; healthIntervalSec: number; commandPollIntervalSec: number }): Promise<Result> {
  const cp = await Receiver.start({ intervals });
  const dir = await mkdtemp(join(tmpdir(), 'navarch-bench-agent-'));
  const kmsg = join(dir, 'kmsg');
  await writeFile(kmsg, '');
  const nodeId = 'bench-1';
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, 'run', '--server', cp.url, '--node-id', nodeId, '--fake-gpus', '8', '--cloud', 'none', '--kmsg', kmsg, '--log-level', 'warn', '--dcgm', 'off'], {
    env: { PATH: process.env['PATH'] ?? '', NAVARCH_NODE_TOKEN: await cp.tokenFor(nodeId) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pid = child.pid as number;
  while ((await cp.registrations(nodeId)).length === 0) await new Promise((r) => setTimeout(r, 20));
  const startupMs = Date.now() - started;
  // Let start-up work (module loading, first readings) finish before the window opens.
  await new Promise((r) => setTimeout(r, 2000));
  const t0 = Date.now();
  const c0 = cpuTicks(pid);
  const rssStart = memKiB(pid, 'VmRSS');
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c1 = cpuTicks(pid);
  const wall = (Date.now() - t0) / 1000;
  const result: Result = {
    label,
    seconds: Math.round(wall),
    startupMs,
    rssStartMiB: rssStart / 1024,
    rssEndMiB: memKiB(pid, 'VmRSS') / 1024,
    peakMiB: memKiB(pid, 'VmHWM') / 1024,
    cpuPct: ((c1 - c0) / TICKS / wall) * 100,
    heartbeats: (await cp.heartbeats(nodeId)).length,
    reports: (await cp.reports(nodeId)).length,
  };
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  await cp.close();
  await rm(dir, { recursive: true, force: true });
  return result;
}

if (!existsSync(join(ROOT, 'agent/dist/main.js'))) {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-agent.mjs')], { stdio: 'inherit' });
}
const seconds = Number(process.env['BENCH_AGENT_SECONDS'] ?? 60);
const runs = [
  await measure('default intervals (30s/60s/10s)', seconds, { heartbeatIntervalSec: 30, healthIntervalSec: 60, commandPollIntervalSec: 10 }),
  await measure('1s intervals', Math.min(seconds, 20), { heartbeatIntervalSec: 1, healthIntervalSec: 1, commandPollIntervalSec: 1 }),
];
console.log(`navarch-agent, 8 fake GPUs, Node ${process.version}; CPU is user+system time over the window, as a share of one core.`);
console.log('run                               window  start-up  RSS start  RSS end  peak RSS  CPU     heartbeats  reports');
for (const r of runs) {
  console.log(
    [
      r.label.padEnd(32),
      `${r.seconds}s`.padStart(7),
      `${r.startupMs}ms`.padStart(9),
      `${r.rssStartMiB.toFixed(1)} MiB`.padStart(10),
      `${r.rssEndMiB.toFixed(1)} MiB`.padStart(9),
      `${r.peakMiB.toFixed(1)} MiB`.padStart(9),
      `${r.cpuPct.toFixed(2)}%`.padStart(7),
      String(r.heartbeats).padStart(11),
      String(r.reports).padStart(8),
    ].join(' '),
  );
}
