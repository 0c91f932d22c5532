import { describe, expect, it } from 'vitest';
import { provisionRequest } from '../../../test/helpers/provider-requests.js';
import { TAG } from '../../model/index.js';
import { defaultDiskType, instanceResource } from './request.js';
import { parseGcpSettings } from './settings.js';

const req = provisionRequest('serve-2', {
  instanceType: 'g2-standard-8',
  region: 'europe-west4',
  zone: 'europe-west4-b',
  tags: { [TAG.fleet]: 'prod', [TAG.pool]: 'serve' },
});

describe('instanceResource', () => {
  it('always labels the node, even when the tags lack it', () => {
    const body = instanceResource(parseGcpSettings({ project: 'my-project-123' }), req, 'europe-west4-b', 'prod-serve-2-00000000');
    expect(body.labels).toEqual({ [TAG.fleet]: 'prod', [TAG.pool]: 'serve', [TAG.node]: 'serve-2' });
    expect(body.metadata).toBeUndefined();
  });

  it('gives a scopes-only setting the project default service account', () => {
    const settings = parseGcpSettings({ project: 'my-project-123', scopes: ['https://www.googleapis.com/auth/logging.write'] });
    expect(instanceResource(settings, req, 'europe-west4-b', 'n').serviceAccounts).toEqual([
      { email: 'default', scopes: ['https://www.googleapis.com/auth/logging.write'] },
    ]);
  });

  it('keeps full network paths as written', () => {
    const settings = parseGcpSettings({ project: 'my-project-123', subnetwork: 'projects/host-proj/regions/europe-west4/subnetworks/gpu' });
    expect(instanceResource(settings, req, 'europe-west4-b', 'n').networkInterfaces).toEqual([
      { subnetwork: 'projects/host-proj/regions/europe-west4/subnetworks/gpu', accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] },
    ]);
  });
});

describe('defaultDiskType', () => {
  it('is Hyperdisk where Persistent Disk is not offered', () => {
    expect(['a3-ultragpu-8g', 'a4-highgpu-8g'].map(defaultDiskType)).toEqual(['hyperdisk-balanced', 'hyperdisk-balanced']);
    expect(['a3-highgpu-8g', 'a2-ultragpu-1g', 'g2-standard-4'].map(defaultDiskType)).toEqual(['pd-balanced', 'pd-balanced', 'pd-balanced']);
  });
});
