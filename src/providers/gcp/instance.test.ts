import { describe, expect, it } from 'vitest';
import { stateOf, toInstance } from './instance.js';

describe('stateOf', () => {
  it('maps every Compute Engine status, and an unknown one to pending', () => {
    expect(['PROVISIONING', 'STAGING', 'PENDING'].map(stateOf)).toEqual(['pending', 'pending', 'pending']);
    expect(stateOf('RUNNING')).toBe('running');
    expect(['STOPPING', 'SUSPENDING', 'DEPROVISIONING'].map(stateOf)).toEqual(['stopping', 'stopping', 'stopping']);
    expect(['TERMINATED', 'STOPPED', 'SUSPENDED', 'REPAIRING'].map(stateOf)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(stateOf('SOMETHING_NEW')).toBe('pending');
    expect(stateOf(undefined)).toBe('pending');
  });
});

describe('toInstance', () => {
  it('reads links, labels, addresses and the spot model', () => {
    const inst = toInstance('gcp-east', {
      id: '4829157103554000001',
      name: 'research-train-1-0a1b2c3d',
      zone: 'https://www.googleapis.com/compute/v1/projects/p/zones/us-east4-c',
      machineType: 'https://www.googleapis.com/compute/v1/projects/p/zones/us-east4-c/machineTypes/a3-highgpu-8g',
      status: 'RUNNING',
      labels: { 'navarch-node': 'train-1' },
      creationTimestamp: '2026-03-01T09:15:00.000-08:00',
      scheduling: { provisioningModel: 'SPOT' },
      networkInterfaces: [{ networkIP: '10.150.0.7', accessConfigs: [{ natIP: '34.1.2.3' }] }],
    });
    expect(inst).toEqual({
      id: 'us-east4-c/research-train-1-0a1b2c3d/4829157103554000001',
      provider: 'gcp-east',
      region: 'us-east4',
      zone: 'us-east4-c',
      instanceType: 'a3-highgpu-8g',
      spot: true,
      state: 'running',
      tags: { 'navarch-node': 'train-1' },
      launchedAt: '2026-03-01T17:15:00.000Z',
      privateIp: '10.150.0.7',
      publicIp: '34.1.2.3',
    });
  });
});
