/**
 * Prometheus metrics under the seeds' names. Counters move as things happen; fleet gauges are
 * rebuilt from the store at every scrape, so a node that is gone leaves no stale series behind.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckResult, GpuSample, HealthState } from '../model/index.js';
import type { StoreUsage } from './store/index.js';

/** One node as a scrape sees it. */
export interface NodeView {
  node: string;
  pool: string;
  health: HealthState;
  gpuCount: number | undefined;
  gpus: readonly GpuSample[];
  checks: readonly CheckResult[];
  /** Seconds since the node was last heard from; undefined before it registered. */
  silentSeconds: number | undefined;
}

const CHECK_VALUE: Record<CheckResult['status'], number> = { pass: 1, warn: 0.5, fail: 0 };

type FleetGauge = 'total' | HealthState | 'gpuCount' | 'temperature' | 'utilization' | 'power' | 'memory' | 'check' | 'silent';

export class Metrics {
  readonly registry = new Registry();
  readonly xidErrors: Counter<'node' | 'pool' | 'xid'>;
  readonly commandsIssued: Counter<'kind'>;
  readonly healthReports: Counter<'result'>;
  readonly heartbeats: Counter;
  readonly breakerOpen: Gauge<'pool'>;
  readonly replacements: Counter<'pool' | 'result'>;
  readonly reconciles: Counter<'result'>;
  readonly reconcileSeconds: Histogram;
  readonly requestsLimited: Counter<'node'>;
  readonly storeEvictions: Counter<'kind'>;
  private readonly storeBytes: Gauge<'kind'>;
  private readonly storeMaxBytes: Gauge<'kind'>;
  private readonly storeFileBytes: Gauge;
  private readonly fleet: Record<FleetGauge, Gauge<string>>;

  constructor(options: { processMetrics?: boolean } = {}) {
    const r = [this.registry];
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    this.xidErrors = new Counter({ name: 'navarch_xid_errors_total', help: 'XID errors reported by agents.', labelNames: ['node', 'pool', 'xid'], registers: r });
    this.commandsIssued = new Counter({ name: 'navarch_commands_issued_total', help: 'Commands queued for agents.', labelNames: ['kind'], registers: r });
    this.healthReports = new Counter({ name: 'navarch_health_reports_total', help: 'Health reports received (stored, or replayed and ignored).', labelNames: ['result'], registers: r });
    this.heartbeats = new Counter({ name: 'navarch_heartbeats_total', help: 'Heartbeats received.', registers: r });
    this.breakerOpen = new Gauge({ name: 'navarch_circuit_breaker_open', help: '1 while automatic replacement in the pool is halted by the circuit breaker.', labelNames: ['pool'], registers: r });
    this.replacements = new Counter({ name: 'navarch_replacements_total', help: 'Health-driven replacements by outcome.', labelNames: ['pool', 'result'], registers: r });
    this.reconciles = new Counter({ name: 'navarch_reconciles_total', help: 'Reconciles by outcome.', labelNames: ['result'], registers: r });
    this.reconcileSeconds = new Histogram({
      name: 'navarch_reconcile_duration_seconds',
      help: 'Time of one reconcile (observe, plan, apply).',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers: r,
    });
    this.requestsLimited = new Counter({ name: 'navarch_requests_limited_total', help: 'Agent requests answered 429: the node was past its request or body-byte limit.', labelNames: ['node'], registers: r });
    this.storeEvictions = new Counter({ name: 'navarch_store_evictions_total', help: 'Records the store dropped to stay within store_max_bytes, by kind of data.', labelNames: ['kind'], registers: r });
    this.storeBytes = new Gauge({ name: 'navarch_store_bytes', help: 'What the store holds of each kind of data, as it counts it against its budget.', labelNames: ['kind'], registers: r });
    this.storeMaxBytes = new Gauge({ name: 'navarch_store_budget_bytes', help: 'Most the store keeps of each kind of data (its share of store_max_bytes).', labelNames: ['kind'], registers: r });
    this.storeFileBytes = new Gauge({ name: 'navarch_store_file_bytes', help: 'Size of the store file on disk.', registers: r });
    const gauge = (name: string, help: string, labelNames: string[]): Gauge<string> => new Gauge({ name, help, labelNames, registers: r });
    this.fleet = {
      total: gauge('navarch_nodes_total', 'Nodes known to the control plane.', ['pool']),
      healthy: gauge('navarch_nodes_healthy', 'Nodes judged healthy.', ['pool']),
      unhealthy: gauge('navarch_nodes_unhealthy', 'Nodes judged unhealthy.', ['pool']),
      degraded: gauge('navarch_nodes_degraded', 'Nodes judged degraded.', ['pool']),
      unknown: gauge('navarch_nodes_unknown', 'Nodes whose health is unknown (not registered yet, or silent).', ['pool']),
      gpuCount: gauge('navarch_node_gpu_count', 'GPUs a node registered.', ['node', 'pool']),
      temperature: gauge('navarch_node_gpu_temperature_celsius', 'GPU temperature at the last heartbeat.', ['node', 'pool', 'gpu']),
      utilization: gauge('navarch_node_gpu_utilization_percent', 'GPU utilisation at the last heartbeat.', ['node', 'pool', 'gpu']),
      power: gauge('navarch_node_gpu_power_watts', 'GPU power draw at the last heartbeat.', ['node', 'pool', 'gpu']),
      memory: gauge('navarch_node_gpu_memory_used_bytes', 'GPU memory used at the last heartbeat.', ['node', 'pool', 'gpu']),
      check: gauge('navarch_node_health_check_status', 'Latest result of each health check: 1 pass, 0.5 warn, 0 fail.', ['node', 'pool', 'check']),
      silent: gauge('navarch_node_last_seen_seconds', 'Seconds since the node was last heard from.', ['node', 'pool']),
    };
  }

  /** Rebuilds the fleet gauges from `nodes` (called before each scrape). */
  setFleet(nodes: readonly NodeView[]): void {
    for (const g of Object.values(this.fleet)) g.reset();
    const f = this.fleet;
    for (const pool of new Set(nodes.map((n) => n.pool))) {
      for (const k of ['total', 'healthy', 'unhealthy', 'degraded', 'unknown'] as const) f[k].set({ pool }, 0);
    }
    for (const n of nodes) {
      const base = { node: n.node, pool: n.pool };
      f.total.inc({ pool: n.pool });
      f[n.health].inc({ pool: n.pool });
      if (n.gpuCount !== undefined) f.gpuCount.set(base, n.gpuCount);
      if (n.silentSeconds !== undefined) f.silent.set(base, n.silentSeconds);
      for (const g of n.gpus) {
        const labels = { ...base, gpu: String(g.index) };
        if (g.temperatureC !== undefined) f.temperature.set(labels, g.temperatureC);
        if (g.utilizationPct !== undefined) f.utilization.set(labels, g.utilizationPct);
        if (g.powerW !== undefined) f.power.set(labels, g.powerW);
        if (g.memoryUsedMiB !== undefined) f.memory.set(labels, g.memoryUsedMiB * 1024 * 1024);
      }
      for (const c of n.checks) f.check.set({ ...base, check: c.name }, CHECK_VALUE[c.status]);
    }
  }

  /**
   * Sets the breaker gauge of every pool from the store's breaker states, so a scrape tells what
   * is stored (an open breaker shows from the first scrape after a restart, before any reconcile).
   */
  setBreakers(states: Readonly<Record<string, { open: boolean }>>): void {
    for (const [pool, b] of Object.entries(states)) this.breakerOpen.set({ pool }, b.open ? 1 : 0);
  }

  /** Sets the store gauges (called before each scrape). */
  setStore(usage: StoreUsage): void {
    for (const k of usage.kinds) {
      this.storeBytes.set({ kind: k.kind }, k.bytes);
      this.storeMaxBytes.set({ kind: k.kind }, k.maxBytes);
    }
    this.storeFileBytes.set(usage.fileBytes);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
