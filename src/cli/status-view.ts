/**
 * `navarch status` as a person reads it at a glance: counts as READY/TARGET, ages and last contact
 * in human units, what each node costs an hour and has cost since it started, each node's GPUs in
 * one cell, and health nobody has reported said as `unknown`, never as "0 healthy". Pure: the same
 * status at the same `now` gives the same text.
 */
import { formatAge, type FleetStatus, type StatusGpuHealth, type StatusNode } from '../model/index.js';
import { formatMoney } from '../plan/index.js';
import type { Colors } from './context.js';
import { table } from './table.js';

export interface StatusViewOptions {
  /** The time ages are counted to (ms). */
  now: number;
  /** Only this pool's row and nodes. */
  pool?: string | undefined;
  /** Add each node's zone, addresses and agent version (`-o wide`). */
  wide: boolean;
  c: Colors;
  /** Lines under the title: whether the status is current, who holds the lock. */
  notes: string[];
}

const HOUR_MS = 3_600_000;

const live = (n: StatusNode): boolean => n.state === 'running' || n.state === 'pending';

/** Ready, as kubectl counts it: running, not cordoned, and not judged unhealthy or degraded (an unknown node runs until an agent says otherwise). */
function ready(n: StatusNode): boolean {
  return n.state === 'running' && !n.cordoned && (n.health === 'healthy' || n.health === 'unknown');
}

/** `2 healthy, 1 unhealthy`, or `unknown` when no node's health is known. */
export function healthSummary(nodes: readonly StatusNode[]): string {
  if (nodes.length === 0) return '-';
  const count = (h: StatusNode['health']): number => nodes.filter((n) => n.health === h).length;
  const known = (['healthy', 'degraded', 'unhealthy'] as const).map((h) => [count(h), h] as const).filter(([n]) => n > 0);
  if (known.length === 0) return 'unknown';
  const unknown = count('unknown');
  return [...known.map(([n, h]) => `${n} ${h}`), ...(unknown > 0 ? [`${unknown} unknown`] : [])].join(', ');
}

/** `8/8 ok`, `7/8: GPU 3 XID 48`, or `unknown` until an agent has reported. */
export function gpuCell(g: StatusGpuHealth | undefined): string {
  if (!g) return 'unknown';
  const faults = g.faults ?? [];
  if (faults.length === 0) return `${g.healthy}/${g.gpus} ok`;
  return `${g.healthy}/${g.gpus}: ${faults.map((f) => `GPU ${f.gpu} ${f.reason}`).join(', ')}`;
}

function startedAt(n: StatusNode): number {
  return Date.parse(n.launched_at ?? n.since);
}

function ageOf(n: StatusNode, now: number): string {
  const t = startedAt(n);
  return Number.isFinite(t) ? formatAge(now - t) : '-';
}

/** What the node has cost since it started, at its price now; `$?` without a price. */
export function costSoFar(n: StatusNode, now: number): number | undefined {
  const t = startedAt(n);
  if (n.price_per_hour === undefined || !Number.isFinite(t)) return undefined;
  return (n.price_per_hour * Math.max(0, now - t)) / HOUR_MS;
}

function lastSeen(n: StatusNode, now: number): string {
  const t = n.last_seen === undefined ? NaN : Date.parse(n.last_seen);
  return Number.isFinite(t) ? `${formatAge(now - t)} ago` : '-';
}

function healthCell(n: StatusNode, c: Colors): string {
  if (n.health === 'unhealthy') return c.red(n.health);
  if (n.health === 'degraded') return c.yellow(n.health);
  return n.health === 'unknown' ? c.dim(n.health) : n.health;
}

function title(status: FleetStatus, nodes: readonly StatusNode[], opts: StatusViewOptions): string {
  const { c } = opts;
  const shown = nodes.filter(live);
  const perHour = shown.reduce((s, n) => s + (n.price_per_hour ?? 0), 0);
  const spent = shown.reduce((s, n) => s + (costSoFar(n, opts.now) ?? 0), 0);
  const health = healthSummary(nodes);
  const updated = Date.parse(status.updated_at);
  const what = opts.pool === undefined ? `Fleet "${status.fleet}"` : `Pool "${opts.pool}" of fleet "${status.fleet}"`;
  const counts = `${nodes.length} ${nodes.length === 1 ? 'node' : 'nodes'} (${nodes.filter(ready).length} ready)`;
  const healthText = health === 'unknown' ? 'health unknown (no agent has reported)' : health === '-' ? '' : health;
  const money = `${formatMoney(perHour)}/hr (${formatMoney(spent)} since they started)`;
  const age = Number.isFinite(updated) ? `updated ${formatAge(opts.now - updated)} ago` : `updated ${status.updated_at}`;
  return `${c.bold(what)}: ${[counts, healthText, money].filter(Boolean).join(', ')}; ${age}.`;
}

/** The whole view: title, notes, the pools, then their nodes. */
export function renderStatus(status: FleetStatus, opts: StatusViewOptions): string {
  const { c, now } = opts;
  const pools = Object.entries(status.pools).filter(([name]) => opts.pool === undefined || name === opts.pool);
  const nodes = status.nodes.filter((n) => opts.pool === undefined || n.pool === opts.pool);
  const out = [title(status, nodes, opts), ...opts.notes, ''];
  const poolRows = pools.map(([name, p]) => {
    const mine = nodes.filter((n) => n.pool === name);
    const cond = p.conditions.find((x) => x.type === 'Ready');
    return [
      name,
      `${mine.filter(ready).length}/${p.target}`,
      healthSummary(mine),
      `${p.min_nodes}-${p.max_nodes}`,
      formatMoney(p.cost_per_hour),
      p.protect ? 'yes' : '',
      cond ? `${cond.status === 'True' ? 'Ready' : cond.reason}: ${cond.message}` : '',
    ];
  });
  let text = `${out.join('\n')}\n${table(['POOL', 'READY', 'HEALTH', 'MIN-MAX', '$/HR', 'PROTECT', 'CONDITION'], poolRows)}`;
  if (nodes.length > 0) {
    const wideHeaders = opts.wide ? ['ZONE', 'INTERNAL-IP', 'EXTERNAL-IP', 'AGENT'] : [];
    const rows = nodes.map((n) => [
      n.name,
      n.pool,
      n.instance_type,
      n.spot ? 'spot' : 'on-demand',
      ...(opts.wide ? [`${n.provider} ${n.zone ?? n.region}`, n.private_ip ?? '-', n.public_ip ?? '-', n.agent_version ?? '-'] : []),
      n.cordoned ? `${n.state},cordoned` : n.state,
      healthCell(n, c),
      gpuCell(n.gpu_health),
      ageOf(n, now),
      lastSeen(n, now),
      formatMoney(n.price_per_hour),
      formatMoney(costSoFar(n, now)),
      n.health_reason ?? n.placement_note ?? '',
    ]);
    const headers = ['NODE', 'POOL', 'TYPE', 'MARKET', ...wideHeaders, 'STATE', 'HEALTH', 'GPUS', 'AGE', 'LAST SEEN', '$/HR', 'COST', 'NOTE'];
    text += `\n${table(headers, rows)}`;
  }
  return text;
}
