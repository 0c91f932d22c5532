/**
 * The Instance resource sent with `instances.insert` for one node.
 *
 * GPUs: the accelerator-optimized families navarch's catalog lists (A2, A3, A4, G2) carry their
 * GPUs in the machine type, so no `guestAccelerators` are sent. N1 machines with attached GPUs
 * are not supported. Every instance is created with `onHostMaintenance: TERMINATE`, which GPU
 * VMs require since they cannot live-migrate.
 *
 * Spot: `provisioningModel: SPOT` with `instanceTerminationAction: DELETE`. A preempted VM is
 * deleted rather than stopped: a stopped one keeps its name and boot disk (billed) and still
 * needs replacing, while a deleted one simply leaves the pool short and the next plan adds a
 * node. GCP Spot has no bid, so a pool's `max_price` is enforced by the plan's catalog prices,
 * not sent here.
 */
import type { protos } from '@google-cloud/compute';
import { TAG, type ProvisionRequest } from '../../model/index.js';
import { regionOfZone } from './names.js';
import { DEFAULT_INSTANCE_SCOPES, type GcpSettings } from './settings.js';

type InstanceResource = protos.google.cloud.compute.v1.IInstance;

/**
 * Families whose boot disk must be Hyperdisk: A3 Ultra, A4 and A4X machines take no Persistent
 * Disk. Every other GPU family navarch knows takes pd-balanced.
 */
const HYPERDISK_ONLY = /^(a3-ultragpu|a4-|a4x-)/;

/** The boot disk type of a machine type when `disk_type` is not set. */
export function defaultDiskType(machineType: string): string {
  return HYPERDISK_ONLY.test(machineType) ? 'hyperdisk-balanced' : 'pd-balanced';
}

/** A network setting as a partial URL: a bare name is taken to be in this project. */
function networkPath(value: string): string {
  return value.includes('/') ? value : `global/networks/${value}`;
}

function subnetworkPath(value: string, region: string): string {
  return value.includes('/') ? value : `regions/${region}/subnetworks/${value}`;
}

/** The labels of a node's instance: the request's tags, its node name always among them. */
export function instanceLabels(req: ProvisionRequest): Record<string, string> {
  return { ...req.tags, [TAG.node]: req.tags[TAG.node] ?? req.nodeName };
}

/** Builds the Instance resource for `req` in `zone`, named `name`. */
export function instanceResource(settings: GcpSettings, req: ProvisionRequest, zone: string, name: string): InstanceResource {
  const region = regionOfZone(zone);
  const nic: protos.google.cloud.compute.v1.INetworkInterface = {};
  if (settings.subnetwork) nic.subnetwork = subnetworkPath(settings.subnetwork, region);
  if (settings.network || !settings.subnetwork) nic.network = networkPath(settings.network ?? 'default');
  if (settings.externalIp) nic.accessConfigs = [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }];

  const scheduling: protos.google.cloud.compute.v1.IScheduling = req.spot
    ? { provisioningModel: 'SPOT', instanceTerminationAction: 'DELETE', onHostMaintenance: 'TERMINATE', automaticRestart: false }
    : { provisioningModel: 'STANDARD', onHostMaintenance: 'TERMINATE', automaticRestart: true };

  const resource: InstanceResource = {
    name,
    machineType: `zones/${zone}/machineTypes/${req.instanceType}`,
    labels: instanceLabels(req),
    disks: [
      {
        boot: true,
        autoDelete: true,
        initializeParams: {
          sourceImage: settings.image,
          diskSizeGb: settings.diskSizeGb,
          diskType: `zones/${zone}/diskTypes/${settings.diskType ?? defaultDiskType(req.instanceType)}`,
        },
      },
    ],
    networkInterfaces: [nic],
    scheduling,
  };
  if (req.userData !== undefined) resource.metadata = { items: [{ key: 'startup-script', value: req.userData }] };
  if (settings.serviceAccount !== undefined || settings.scopes !== undefined) {
    // "default" is the API's name for the project's Compute Engine default service account.
    resource.serviceAccounts = [{ email: settings.serviceAccount ?? 'default', scopes: settings.scopes ?? [...DEFAULT_INSTANCE_SCOPES] }];
  }
  return resource;
}
