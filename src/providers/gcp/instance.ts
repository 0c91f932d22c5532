/** Compute Engine instances as navarch sees them. */
import type { Instance, InstanceState } from '../../model/index.js';
import { formatInstanceId, lastSegment, regionOfZone } from './names.js';

/** The fields of a Compute Engine Instance resource navarch reads. */
export interface GceInstance {
  id?: string | number | null;
  name?: string | null;
  zone?: string | null;
  machineType?: string | null;
  status?: string | number | null;
  labels?: Record<string, string> | null;
  creationTimestamp?: string | null;
  scheduling?: { provisioningModel?: string | null; preemptible?: boolean | null } | null;
  networkInterfaces?: Array<{ networkIP?: string | null; accessConfigs?: Array<{ natIP?: string | null }> | null }> | null;
}

/**
 * Compute Engine's instance statuses and what they mean to navarch:
 * - PROVISIONING, STAGING, PENDING (waiting for resources): the machine is on its way → `pending`.
 * - RUNNING → `running`.
 * - STOPPING, SUSPENDING, DEPROVISIONING: going away or going down → `stopping` (not counted as a
 *   pool member, so a replacement can be planned while it leaves).
 * - TERMINATED, STOPPED, SUSPENDED: the VM exists (holding its name and boot disk) but runs
 *   nothing; a Spot VM only ends up here if someone changed it to stop on preemption, since
 *   navarch creates them to be deleted → `failed`, which the plan replaces.
 * - REPAIRING: Google is repairing the host and the VM is unusable for an unbounded time → `failed`.
 * An unknown status reads as `pending`: counted, and neither replaced nor destroyed on its account.
 */
const STATES: Record<string, InstanceState> = {
  PROVISIONING: 'pending',
  STAGING: 'pending',
  PENDING: 'pending',
  RUNNING: 'running',
  STOPPING: 'stopping',
  SUSPENDING: 'stopping',
  DEPROVISIONING: 'stopping',
  PENDING_STOP: 'stopping',
  TERMINATED: 'failed',
  STOPPED: 'failed',
  SUSPENDED: 'failed',
  REPAIRING: 'failed',
};

/** navarch's state of a Compute Engine instance status. */
export function stateOf(status: string | number | null | undefined): InstanceState {
  return (typeof status === 'string' ? STATES[status] : undefined) ?? 'pending';
}

function isoTime(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Converts an API Instance to navarch's Instance of provider `provider`. */
export function toInstance(provider: string, gce: GceInstance): Instance {
  const zone = lastSegment(gce.zone);
  const nic = gce.networkInterfaces?.[0];
  const spot = gce.scheduling?.provisioningModel === 'SPOT' || gce.scheduling?.preemptible === true;
  return {
    id: formatInstanceId({ zone, name: gce.name ?? '', gceId: String(gce.id ?? '') }),
    provider,
    region: regionOfZone(zone),
    zone,
    instanceType: lastSegment(gce.machineType),
    spot,
    state: stateOf(gce.status),
    tags: { ...(gce.labels ?? {}) },
    launchedAt: isoTime(gce.creationTimestamp),
    privateIp: nic?.networkIP ?? undefined,
    publicIp: nic?.accessConfigs?.find((a) => a.natIP)?.natIP ?? undefined,
  };
}
