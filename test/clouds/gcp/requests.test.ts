/** What the GCP provider sends to Compute Engine, asserted on the server side. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG } from '../../../src/model/index.js';
import { DEFAULT_IMAGE, instanceName } from '../../../src/providers/gcp/index.js';
import { providerFailure } from '../../helpers/provider-requests.js';
import { gcpRequest, PROJECT, startGcp, type GcpTestbed } from './harness.js';

let bed: GcpTestbed;
beforeEach(async () => {
  bed = await startGcp();
});
afterEach(async () => {
  await bed.close();
});

/** The body and query of the one instances.insert the server received. */
function insertCall(): { body: Record<string, unknown>; query: Record<string, string>; path: string } {
  const calls = bed.server.calls('POST', /\/instances$/);
  expect(calls).toHaveLength(1);
  const call = calls[0];
  if (!call) throw new Error('no insert');
  return { body: call.body as Record<string, unknown>, query: call.query, path: call.path };
}

describe('instances.insert', () => {
  it('sends an on-demand GPU machine type with its GPUs, labels, startup script and TERMINATE on maintenance', async () => {
    const req = gcpRequest({ instanceType: 'a3-highgpu-8g', region: 'us-central1', zone: 'us-central1-c', userData: '#!/bin/sh\necho hello\n' });
    const inst = await bed.provider.provision(req);
    const { body, query, path } = insertCall();
    expect(path).toBe(`/compute/v1/projects/${PROJECT}/zones/us-central1-c/instances`);
    expect(query['requestId']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(body['name']).toBe(instanceName('research', 'train-1'));
    expect(body['machineType']).toBe('zones/us-central1-c/machineTypes/a3-highgpu-8g');
    // The A3 machine type carries its eight H100s: nothing is attached separately.
    expect(body).not.toHaveProperty('guestAccelerators');
    expect(body['labels']).toEqual(req.tags);
    expect(body['scheduling']).toEqual({ provisioningModel: 'STANDARD', onHostMaintenance: 'TERMINATE', automaticRestart: true });
    expect(body['metadata']).toEqual({ items: [{ key: 'startup-script', value: '#!/bin/sh\necho hello\n' }] });
    expect(body['disks']).toMatchObject([
      {
        boot: true,
        autoDelete: true,
        initializeParams: { sourceImage: DEFAULT_IMAGE, diskSizeGb: '200', diskType: 'zones/us-central1-c/diskTypes/pd-balanced' },
      },
    ]);
    expect(body['networkInterfaces']).toEqual([{ network: 'global/networks/default', accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] }]);
    expect(body).not.toHaveProperty('serviceAccounts');
    expect(inst).toMatchObject({ instanceType: 'a3-highgpu-8g', region: 'us-central1', zone: 'us-central1-c', spot: false, state: 'running' });
  });

  it('asks for Spot with deletion on preemption and reports the instance as spot', async () => {
    const inst = await bed.provider.provision(gcpRequest({ spot: true, maxPricePerHour: 0.5 }));
    expect(insertCall().body['scheduling']).toEqual({
      provisioningModel: 'SPOT',
      instanceTerminationAction: 'DELETE',
      onHostMaintenance: 'TERMINATE',
      automaticRestart: false,
    });
    expect(inst.spot).toBe(true);
  });

  it('gives machine families without Persistent Disk a Hyperdisk boot disk', async () => {
    await bed.provider.provision(gcpRequest({ instanceType: 'a3-ultragpu-8g', region: 'us-central1', zone: 'us-central1-b' }));
    const disks = insertCall().body['disks'] as Array<{ initializeParams: { diskType: string } }>;
    expect(disks[0]?.initializeParams.diskType).toBe('zones/us-central1-b/diskTypes/hyperdisk-balanced');
  });

  it('applies the image, network, service account, scopes, disk and address settings', async () => {
    const provider = await bed.makeProvider({
      settings: {
        image: 'projects/my-images/global/images/family/gpu-base',
        subnetwork: 'gpu-subnet',
        network: 'gpu-vpc',
        service_account: `nodes@${PROJECT}.iam.gserviceaccount.com`,
        scopes: ['https://www.googleapis.com/auth/devstorage.read_only'],
        disk_size_gb: 500,
        disk_type: 'pd-ssd',
        external_ip: false,
      },
    });
    await provider.provision(gcpRequest());
    const { body } = insertCall();
    expect(body['networkInterfaces']).toEqual([{ subnetwork: 'regions/us-central1/subnetworks/gpu-subnet', network: 'global/networks/gpu-vpc' }]);
    expect(body['serviceAccounts']).toEqual([
      { email: `nodes@${PROJECT}.iam.gserviceaccount.com`, scopes: ['https://www.googleapis.com/auth/devstorage.read_only'] },
    ]);
    expect(body['disks']).toMatchObject([
      {
        boot: true,
        autoDelete: true,
        initializeParams: { sourceImage: 'projects/my-images/global/images/family/gpu-base', diskSizeGb: '500', diskType: 'zones/us-central1-a/diskTypes/pd-ssd' },
      },
    ]);
  });

  it('picks the first catalog zone of the region when the placement names none', async () => {
    const inst = await bed.provider.provision(gcpRequest({ instanceType: 'a2-highgpu-1g', region: 'us-east1', zone: undefined }));
    expect(insertCall().path).toBe(`/compute/v1/projects/${PROJECT}/zones/us-east1-b/instances`);
    expect(inst.zone).toBe('us-east1-b');
  });

  it('refuses a zone outside the region without calling the API', async () => {
    const err = await providerFailure(bed.provider.provision(gcpRequest({ region: 'us-east1', zone: 'us-central1-a' })));
    expect(err.errorClass).toBe('invalid');
    expect(bed.server.requests).toHaveLength(0);
  });

  it('checks for the node by its labels before creating, and signs every call with the service account', async () => {
    await bed.provider.provision(gcpRequest());
    const list = bed.server.calls('GET', /\/aggregated\/instances$/)[0];
    expect(list?.query['filter']).toBe(`(labels.${TAG.fleet} = "research") AND (labels.${TAG.node} = "train-1")`);
    expect(list?.query['maxResults']).toBe('500');
    expect(list?.query).not.toHaveProperty('returnPartialSuccess');
    for (const r of bed.server.requests) expect(r.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(bed.server.calls('POST', /\/operations\/[^/]+\/wait$/)).toHaveLength(1);
  });
});
