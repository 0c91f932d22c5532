/**
 * Notifiers tell the workload system (Kubernetes, Slurm, Ray...) what the control plane does to a
 * node, so it stops placing work there and moves work away before the node goes.
 */

/** The node a notification is about. */
export interface NotifiedNode {
  name: string;
  pool: string | undefined;
}

export interface Notifier {
  /** For logs. */
  readonly name: string;
  /** Stop placing new work on the node; running work continues. */
  cordon(node: NotifiedNode, reason: string, signal?: AbortSignal): Promise<void>;
  /** Place work on the node again. */
  uncordon(node: NotifiedNode, signal?: AbortSignal): Promise<void>;
  /** Move running work off the node. */
  drain(node: NotifiedNode, reason: string, signal?: AbortSignal): Promise<void>;
  /** Whether the node has no work left and may be terminated. */
  isDrained(node: NotifiedNode, signal?: AbortSignal): Promise<boolean>;
}
