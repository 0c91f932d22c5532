/**
 * What the node agents told the control plane, written into the status file beside what the cloud
 * says: each node's agent version, when it was last heard from, and how its GPUs are.
 */
import type { FleetStatus, StatusGpuHealth, StatusNode } from '../model/index.js';
import { lastContact, type NodeRecord } from './store/index.js';

/** The GPUs of a registered node: how many its agent found, and what is wrong with which. */
export function gpuHealthOf(r: NodeRecord): StatusGpuHealth {
  const gpus = r.registration.gpus.length;
  const faults = (r.health.gpuFaults ?? []).map((f) => ({ gpu: f.gpu, reason: f.label }));
  const out: StatusGpuHealth = { gpus, healthy: Math.max(0, gpus - faults.length) };
  if (faults.length > 0) out.faults = faults;
  return out;
}

/** The status with each registered node's agent facts in place of what it carried. */
export function withAgentFacts(status: FleetStatus, records: ReadonlyMap<string, NodeRecord>): FleetStatus {
  const nodes = status.nodes.map((n): StatusNode => {
    const r = records.get(n.name);
    if (!r) return n;
    return { ...n, agent_version: r.registration.host.agentVersion, last_seen: new Date(lastContact(r)).toISOString(), gpu_health: gpuHealthOf(r) };
  });
  return { ...status, nodes };
}
