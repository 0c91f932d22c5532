/**
 * Prometheus metrics, named by Prometheus's conventions: `_total` on counters only, base units,
 * one gauge with a label rather than one per state, a `_build_info` gauge. The seeds' per-state
 * node gauges (`navarch_nodes_total`, `_healthy`, `_unhealthy`) are kept beside `navarch_nodes`
 * as documented exceptions, since alert rules name them. Counters move as things happen; fleet
 * and pool gauges are rebuilt at every scrape from the fleet as last written and the store, so a
 * node or pool that is gone leaves no stale series behind.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AGENT_VERSION } from '../../agent/packaging/index.js';
import type { ProvisionAttempt } from '../apply/index.js';
import type { CheckResult, GpuSample, HealthState, StatusPool } from '../model/index.js';
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
const HEALTH_STATES: readonly HealthState[] = ['healthy', 'degraded', 'unhealthy', 'unknown'];

type FleetGauge = 'nodes' | 'total' | 'healthy' | 'unhealthy' | 'gpuCount' | 'temperature' | 'utilization' | 'power' | 'memory' | 'check' | 'silent';
type PoolGauge = 'target' | 'min' | 'max' | 'cost';

export interface MetricsOptions {
  /** Also collect the process's own metrics (`process_*`, `nodejs_*`): on in `navarch serve`, off in tests. */
  processMetrics?: boolean;
  /** The version `navarch_build_info` reports (default this package's). */
  version?: string;
}

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
  readonly provisions: Counter<'provider' | 'result'>;
  private readonly storeBytes: Gauge<'kind'>;
  private readonly storeMaxBytes: Gauge<'kind'>;
  private readonly storeFileBytes: Gauge;
  private readonly fleet: Record<FleetGauge, Gauge<string>>;
  private readonly pools: Record<PoolGauge, Gauge<'pool'>>;

  constructor(options: MetricsOptions = {}) {
    const r = [this.registry];
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'navarch_build_info', help: 'Always 1: the navarch version and the Node.js version it runs on, as labels.', labelNames: ['version', 'node_version'], registers: r }).set(
      { version: options.version ?? AGENT_VERSION, node_version: process.version },
      1,
    );
    this.provisions = new Counter({
      name: 'navarch_provisions_total',
      help: "Calls to a provider's provision, retries included, by outcome: ok, or the provider error's class (capacity, quota, throttled, auth, invalid, transient, not-found; error when unclassified).",
      labelNames: ['provider', 'result'],
      registers: r,
    });
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
      nodes: gauge('navarch_nodes', "The fleet's nodes (running or booting, registered or not) by pool and health (healthy, degraded, unhealthy, unknown).", ['pool', 'health']),
      total: gauge('navarch_nodes_total', "The fleet's nodes by pool (the sum of navarch_nodes over health; kept under this name for alert rules).", ['pool']),
      healthy: gauge('navarch_nodes_healthy', 'Nodes judged healthy (navarch_nodes{health="healthy"}; kept under this name for alert rules).', ['pool']),
      unhealthy: gauge('navarch_nodes_unhealthy', 'Nodes judged unhealthy (navarch_nodes{health="unhealthy"}; kept under this name for alert rules).', ['pool']),
      gpuCount: gauge('navarch_node_gpu_count', 'GPUs a node registered.', ['node', 'pool']),
      temperature: gauge('navarch_node_gpu_temperature_celsius', 'GPU temperature at the last heartbeat.', ['node', 'pool', 'gpu']),
      utilization: gauge('navarch_node_gpu_utilization_percent', 'GPU utilisation at the last heartbeat.', ['node', 'pool', 'gpu']),
      power: gauge('navarch_node_gpu_power_watts', 'GPU power draw at the last heartbeat.', ['node', 'pool', 'gpu']),
      memory: gauge('navarch_node_gpu_memory_used_bytes', 'GPU memory used at the last heartbeat.', ['node', 'pool', 'gpu']),
      check: gauge('navarch_node_health_check_status', 'Latest result of each health check: 1 pass, 0.5 warn, 0 fail.', ['node', 'pool', 'check']),
      silent: gauge('navarch_node_last_seen_seconds', 'Seconds since the node was last heard from.', ['node', 'pool']),
    };
    const poolGauge = (name: string, help: string): Gauge<'pool'> => new Gauge({ name, help, labelNames: ['pool'], registers: r });
    this.pools = {
      target: poolGauge('navarch_pool_target_nodes', "The pool's target node count (its autoscaled target, else `nodes`), as last written to the status."),
      min: poolGauge('navarch_pool_min_nodes', "The pool's min_nodes."),
      max: poolGauge('navarch_pool_max_nodes', "The pool's max_nodes."),
      cost: poolGauge('navarch_pool_cost_dollars_per_hour', "What the pool's nodes cost now, in US dollars per hour."),
    };
  }

  /** Counts one provision call's outcome. */
  countProvision(a: ProvisionAttempt): void {
    this.provisions.inc({ provider: a.provider, result: a.result });
  }

  /** Rebuilds the pool gauges from the status's pools (called before each scrape). */
  setPools(pools: Readonly<Record<string, Pick<StatusPool, 'target' | 'min_nodes' | 'max_nodes' | 'cost_per_hour'>>>): void {
    for (const g of Object.values(this.pools)) g.reset();
    for (const [pool, p] of Object.entries(pools)) {
      this.pools.target.set({ pool }, p.target);
      this.pools.min.set({ pool }, p.min_nodes);
      this.pools.max.set({ pool }, p.max_nodes);
      this.pools.cost.set({ pool }, p.cost_per_hour);
    }
  }

  /** Rebuilds the fleet gauges from `nodes`, with a zero for every state of each of `pools` (called before each scrape). */
  setFleet(nodes: readonly NodeView[], pools: readonly string[] = []): void {
    for (const g of Object.values(this.fleet)) g.reset();
    const f = this.fleet;
    for (const pool of new Set([...pools, ...nodes.map((n) => n.pool)])) {
      for (const k of ['total', 'healthy', 'unhealthy'] as const) f[k].set({ pool }, 0);
      for (const health of HEALTH_STATES) f.nodes.set({ pool, health }, 0);
    }
    for (const n of nodes) {
      const base = { node: n.node, pool: n.pool };
      f.nodes.inc({ pool: n.pool, health: n.health });
      f.total.inc({ pool: n.pool });
      if (n.health === 'healthy' || n.health === 'unhealthy') f[n.health].inc({ pool: n.pool });
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
