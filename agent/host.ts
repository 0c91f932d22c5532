/** The machine the agent runs on: who it is (at registration) and how busy it is (in heartbeats). */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { AgentHost, HeartbeatRequest } from '../src/model/index.js';

/** This boot's id from the kernel; a random one per process where there is none (not Linux). */
export function readBootId(path = '/proc/sys/kernel/random/boot_id'): string {
  try {
    const id = readFileSync(path, 'utf8').trim();
    if (id) return id;
  } catch {
    // not Linux, or /proc hidden
  }
  return randomUUID();
}

function osName(): string | undefined {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1];
  } catch {
    return undefined;
  }
}

export function describeHost(agentVersion: string, bootId: string): AgentHost {
  const host: AgentHost = {
    hostname: os.hostname(),
    kernel: os.release(),
    cpus: os.cpus().length,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    agentVersion,
    bootId,
  };
  const name = osName();
  if (name) host.os = name;
  return host;
}

/** CPU busy share between two calls, from the kernel's per-CPU counters. */
export class HostLoad {
  private last = totals();

  sample(): HeartbeatRequest['host'] {
    const now = totals();
    const busy = now.busy - this.last.busy;
    const all = now.all - this.last.all;
    this.last = now;
    const out: HeartbeatRequest['host'] = {
      memoryTotalMiB: Math.round(os.totalmem() / 2 ** 20),
      memoryUsedMiB: Math.round((os.totalmem() - availableMemory()) / 2 ** 20),
      load1: Math.round(os.loadavg()[0]! * 100) / 100,
    };
    if (all > 0) out.cpuPct = Math.round((busy / all) * 1000) / 10;
    return out;
  }
}

function totals(): { busy: number; all: number } {
  let busy = 0;
  let all = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    const sum = t.user + t.nice + t.sys + t.idle + t.irq;
    all += sum;
    busy += sum - t.idle;
  }
  return { busy, all };
}

/** MemAvailable (what can be had without swapping) where the kernel says it; free memory otherwise. */
function availableMemory(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return os.freemem();
}
