/**
 * Checks an `instances.insert` body the way Compute Engine does, answering with the API's own
 * wording (`Invalid value for field 'resource.<field>': ...`), so a request shape the real API
 * would refuse fails in tests too.
 */
import type { HttpFault } from './wire.js';

const NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
/** Machine families that carry GPUs, which cannot live-migrate. */
const GPU_FAMILY = /^(a2|a3|a4|a4x|g2)-/;

function invalid(field: string, value: unknown, why: string): HttpFault {
  return {
    kind: 'http',
    status: 400,
    reason: 'invalid',
    message: `Invalid value for field 'resource.${field}': '${typeof value === 'string' ? value : JSON.stringify(value)}'. ${why}`,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A fault for a body the API would refuse, or undefined when it is acceptable. */
export function validateInsert(body: Record<string, unknown>, zone: string): HttpFault | undefined {
  const name = body['name'];
  if (typeof name !== 'string' || !NAME.test(name)) return invalid('name', name, "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'");
  const machineType = body['machineType'];
  const mt = typeof machineType === 'string' ? /(?:^|\/)zones\/([^/]+)\/machineTypes\/([a-z0-9-]+)$/.exec(machineType) : null;
  if (!mt || mt[2] === undefined) return invalid('machineType', machineType, 'Must be a URL or partial URL of a machine type.');
  if (mt[1] !== zone) return invalid('machineType', machineType, `Machine type must be in zone ${zone}.`);
  const labels = body['labels'] ?? {};
  if (!isRecord(labels)) return invalid('labels', labels, 'Labels must be a map.');
  if (Object.keys(labels).length > 64) return invalid('labels', '', 'Resources can have at most 64 labels.');
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) return invalid('labels', '', `Label key '${k}' violates format constraints.`);
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) return invalid('labels', '', `Label value '${String(v)}' violates format constraints.`);
  }
  const disks = body['disks'];
  const boot = Array.isArray(disks) && isRecord(disks[0]) ? disks[0] : undefined;
  const init = boot && isRecord(boot['initializeParams']) ? boot['initializeParams'] : undefined;
  if (!boot || boot['boot'] !== true || typeof init?.['sourceImage'] !== 'string') {
    return invalid('disks', '', 'Boot disk must be specified, with initializeParams.sourceImage.');
  }
  const nics = body['networkInterfaces'];
  if (!Array.isArray(nics) || nics.length === 0) return invalid('networkInterfaces', '', 'At least one network interface is required.');
  const scheduling = isRecord(body['scheduling']) ? body['scheduling'] : {};
  if (GPU_FAMILY.test(mt[2]) && scheduling['onHostMaintenance'] !== 'TERMINATE') {
    return invalid('scheduling.onHostMaintenance', scheduling['onHostMaintenance'] ?? 'MIGRATE', 'Instances with guest accelerators do not support live migration.');
  }
  if (scheduling['provisioningModel'] === 'SPOT') {
    if (scheduling['automaticRestart'] !== false) return invalid('scheduling.automaticRestart', 'true', 'Spot VMs cannot be restarted automatically.');
    if (scheduling['onHostMaintenance'] !== 'TERMINATE') return invalid('scheduling.onHostMaintenance', scheduling['onHostMaintenance'], 'Spot VMs must terminate on host maintenance.');
    const action = scheduling['instanceTerminationAction'];
    if (action !== undefined && action !== 'STOP' && action !== 'DELETE') return invalid('scheduling.instanceTerminationAction', action, 'Must be STOP or DELETE.');
  }
  return undefined;
}
