/**
 * The autoscaling contract: a `MetricsSource` measures a pool, an `Autoscaler` turns what was
 * measured into a target. The split keeps every scaling decision a pure function (testable, and
 * replayable by the simulator on a virtual clock) while the reading of utilisation, queues or
 * Prometheus stays an effect at the edge. Built-in strategies and plugins implement the same two
 * interfaces.
 */

/** One reading of a pool's metrics, stamped with when it was taken (ms since epoch). */
export interface MetricSample {
  readonly at: number;
  /**
   * Measures by name. The built-in strategies read `gpu_utilisation` (percent, the mean over the
   * pool's GPUs) and `pending_jobs` (jobs waiting for the pool's capacity); other names are free
   * for plugins (a Prometheus query's value, a queue's depth).
   */
  readonly values: Readonly<Record<string, number>>;
}

/** What an autoscaler is told about one pool. Everything it may use is here: it reads no clock. */
export interface PoolState {
  readonly pool: string;
  /** The range the repository declares; the target must stay inside it. */
  readonly minNodes: number;
  readonly maxNodes: number;
  /** The target in force now: the last recommendation recorded, or the repository's. */
  readonly target: number;
  /** The pool's nodes that are running and healthy. */
  readonly ready: number;
  /** The time of the decision, ms since epoch. */
  readonly now: number;
  /** Samples oldest first (the last is the latest); trend strategies look back over them. */
  readonly samples: readonly MetricSample[];
  /** The pool's `autoscaling:` settings as written in its file. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** An autoscaler's answer: the node count it wants, and why, in words shown in the status file. */
export interface ScaleRecommendation {
  readonly target: number;
  readonly reason: string;
}

/**
 * A scaling strategy (`reactive`, `queue`, `scheduled`, ...). `recommend` is pure: the same state
 * gives the same answer. The caller clamps the target into [minNodes, maxNodes], applies the
 * pool's cooldown and records the decision, so a strategy does none of that.
 */
export interface Autoscaler {
  /** The strategy's name, as `autoscaling.type` spells it. */
  readonly name: string;
  recommend(state: PoolState): ScaleRecommendation;
}

/**
 * Where samples come from (agent heartbeats, the job queue, an HTTP endpoint, Prometheus). A read
 * that fails throws; the pool then keeps its target rather than scaling on a missing figure.
 */
export interface MetricsSource {
  readonly name: string;
  /** The pool's measures now, by name (see `MetricSample.values`). */
  read(pool: string, signal?: AbortSignal): Promise<Readonly<Record<string, number>>>;
}
