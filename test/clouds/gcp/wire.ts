/**
 * Compute Engine v1 JSON as the API sends it: error documents, Operation and Instance resources.
 * Shapes follow the REST reference (compute/docs/reference/rest/v1: instances, zoneOperations) and
 * errors observed from the API (`{error: {code, message, errors: [{message, domain, reason}], status}}`).
 */

/** Where resource links point, as the real API writes them. */
export const LINK_BASE = 'https://www.googleapis.com/compute/v1';

/** google.rpc.Code names of the HTTP statuses the API answers with. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** A synchronous error: what the API answers instead of a resource. */
export interface HttpFault {
  kind: 'http';
  status: number;
  reason: string;
  message: string;
  domain?: string;
  /** google.rpc.Status name; defaults from the HTTP status. */
  statusName?: string;
  retryAfter?: string;
  /** `details` (google.rpc.ErrorInfo and friends, with `@type`). */
  details?: Array<Record<string, unknown>>;
}

/** An error inside a finished Operation: the request was accepted and failed later. */
export interface OperationFault {
  kind: 'operation';
  code: string;
  message: string;
  httpStatus: number;
  httpMessage: string;
  errorDetails?: Array<Record<string, unknown>>;
}

export type Fault = HttpFault | OperationFault;

/** The JSON error document of an HTTP fault. */
export function errorDocument(f: HttpFault): Record<string, unknown> {
  return {
    error: {
      code: f.status,
      message: f.message,
      errors: [{ message: f.message, domain: f.domain ?? 'global', reason: f.reason }],
      status: f.statusName ?? STATUS_NAMES[f.status] ?? 'UNKNOWN',
      ...(f.details ? { details: f.details } : {}),
    },
  };
}

/** A zone's link. */
export function zoneLink(project: string, zone: string): string {
  return `${LINK_BASE}/projects/${project}/zones/${zone}`;
}

/** RFC 3339 with the Pacific offset the API writes timestamps in. */
export function gceTimestamp(ms: number): string {
  const local = new Date(ms - 7 * 3_600_000).toISOString().replace('Z', '');
  return `${local}-07:00`;
}

/** One Operation resource as stored by the server. */
export interface StoredOperation {
  id: string;
  name: string;
  zone: string;
  operationType: 'insert' | 'delete' | 'setLabels';
  targetName: string;
  targetId: string;
  status: 'PENDING' | 'RUNNING' | 'DONE';
  user: string;
  insertTime: number;
  endTime?: number;
  fault?: OperationFault;
}

/** The Operation JSON of a stored operation. */
export function operationJson(project: string, op: StoredOperation): Record<string, unknown> {
  const zone = zoneLink(project, op.zone);
  return {
    kind: 'compute#operation',
    id: op.id,
    name: op.name,
    zone,
    operationType: op.operationType,
    targetLink: `${zone}/instances/${op.targetName}`,
    targetId: op.targetId,
    status: op.status,
    user: op.user,
    progress: op.status === 'DONE' ? 100 : 0,
    insertTime: gceTimestamp(op.insertTime),
    startTime: gceTimestamp(op.insertTime),
    ...(op.endTime !== undefined ? { endTime: gceTimestamp(op.endTime) } : {}),
    selfLink: `${zone}/operations/${op.name}`,
    ...(op.fault
      ? {
          error: { errors: [{ code: op.fault.code, message: op.fault.message, ...(op.fault.errorDetails ? { errorDetails: op.fault.errorDetails } : {}) }] },
          httpErrorStatusCode: op.fault.httpStatus,
          httpErrorMessage: op.fault.httpMessage,
        }
      : {}),
  };
}

/** One instance as stored by the server: the body it was created with plus what the API adds. */
export interface StoredInstance {
  id: string;
  name: string;
  zone: string;
  status: string;
  created: number;
  /** The request body of instances.insert (or a seeded equivalent). */
  body: Record<string, unknown>;
  labels: Record<string, string>;
  labelFingerprint: string;
  networkIP: string;
  natIP: string | undefined;
}

/** GPUs a machine type carries (the API lists them under guestAccelerators). */
function acceleratorsOf(machineType: string): { type: string; count: number } | undefined {
  const count = Number(/-(\d+)g$/.exec(machineType)?.[1] ?? 0);
  if (machineType.startsWith('a3-ultragpu')) return { type: 'nvidia-h200-141gb', count };
  if (machineType.startsWith('a3-')) return { type: 'nvidia-h100-80gb', count };
  if (machineType.startsWith('a2-ultragpu')) return { type: 'nvidia-a100-80gb', count };
  if (machineType.startsWith('a2-')) return { type: 'nvidia-tesla-a100', count };
  if (machineType.startsWith('a4-')) return { type: 'nvidia-b200', count };
  if (machineType.startsWith('g2-')) {
    const size = Number(/g2-standard-(\d+)/.exec(machineType)?.[1] ?? 4);
    return { type: 'nvidia-l4', count: size >= 96 ? 8 : size >= 48 ? 4 : size === 24 ? 2 : 1 };
  }
  return undefined;
}

/** The Instance JSON of a stored instance. */
export function instanceJson(project: string, inst: StoredInstance): Record<string, unknown> {
  const zone = zoneLink(project, inst.zone);
  const body = inst.body;
  const machineType = String(body['machineType'] ?? '').split('/').pop() ?? '';
  const nicIn = (Array.isArray(body['networkInterfaces']) ? body['networkInterfaces'][0] : undefined) as Record<string, unknown> | undefined;
  const region = inst.zone.replace(/-[a-z]$/, '');
  const accel = acceleratorsOf(machineType);
  const disks = Array.isArray(body['disks']) ? (body['disks'] as Array<Record<string, unknown>>) : [];
  const boot = disks[0]?.['initializeParams'] as Record<string, unknown> | undefined;
  return {
    kind: 'compute#instance',
    id: inst.id,
    creationTimestamp: gceTimestamp(inst.created),
    name: inst.name,
    tags: { fingerprint: '42WmSpB8rSM=' },
    machineType: `${zone}/machineTypes/${machineType}`,
    status: inst.status,
    zone,
    canIpForward: false,
    networkInterfaces: [
      {
        kind: 'compute#networkInterface',
        network: `${LINK_BASE}/projects/${project}/global/networks/${String(nicIn?.['network'] ?? 'default').split('/').pop()}`,
        subnetwork: `${LINK_BASE}/projects/${project}/regions/${region}/subnetworks/${String(nicIn?.['subnetwork'] ?? 'default').split('/').pop()}`,
        networkIP: inst.networkIP,
        name: 'nic0',
        ...(inst.natIP
          ? { accessConfigs: [{ kind: 'compute#accessConfig', type: 'ONE_TO_ONE_NAT', name: 'External NAT', natIP: inst.natIP, networkTier: 'PREMIUM' }] }
          : {}),
        fingerprint: 'vGxK1cGZrZo=',
        stackType: 'IPV4_ONLY',
      },
    ],
    disks: [
      {
        kind: 'compute#attachedDisk',
        type: 'PERSISTENT',
        mode: 'READ_WRITE',
        source: `${zone}/disks/${inst.name}`,
        deviceName: 'persistent-disk-0',
        index: 0,
        boot: true,
        autoDelete: true,
        interface: 'SCSI',
        diskSizeGb: String(boot?.['diskSizeGb'] ?? '10'),
        architecture: 'X86_64',
      },
    ],
    metadata: { kind: 'compute#metadata', fingerprint: 'cQ5VYsB0Ngs=', ...(body['metadata'] as Record<string, unknown> | undefined) },
    ...(body['serviceAccounts'] ? { serviceAccounts: body['serviceAccounts'] } : {}),
    selfLink: `${zone}/instances/${inst.name}`,
    scheduling: body['scheduling'] ?? { onHostMaintenance: 'MIGRATE', automaticRestart: true, preemptible: false, provisioningModel: 'STANDARD' },
    cpuPlatform: inst.status === 'RUNNING' ? 'Intel Sapphire Rapids' : 'Unknown CPU Platform',
    labels: inst.labels,
    labelFingerprint: inst.labelFingerprint,
    startRestricted: false,
    deletionProtection: false,
    ...(accel
      ? { guestAccelerators: [{ acceleratorType: `${zone}/acceleratorTypes/${accel.type}`, acceleratorCount: accel.count }] }
      : {}),
    fingerprint: 'p1dMkR4m2Pk=',
  };
}
