import { describe, expect, it } from 'vitest';
import { NavarchError } from '../../model/index.js';
import { DEFAULT_DISK_SIZE_GB, DEFAULT_IMAGE, parseGcpSettings } from './settings.js';

describe('parseGcpSettings', () => {
  it('needs only a project and fills in the rest', () => {
    expect(parseGcpSettings({ project: 'my-project-123' })).toEqual({
      project: 'my-project-123',
      regions: undefined,
      image: DEFAULT_IMAGE,
      network: undefined,
      subnetwork: undefined,
      serviceAccount: undefined,
      scopes: undefined,
      diskSizeGb: DEFAULT_DISK_SIZE_GB,
      diskType: undefined,
      externalIp: true,
      endpoint: { protocol: 'https', host: 'compute.googleapis.com', port: undefined, custom: false },
    });
  });

  it('splits an endpoint into what the client library takes', () => {
    expect(parseGcpSettings({ project: 'my-project-123', endpoint: 'http://127.0.0.1:8089' }).endpoint).toEqual({
      protocol: 'http',
      host: '127.0.0.1',
      port: 8089,
      custom: true,
    });
  });

  it.each([
    [{}, 'project'],
    [{ project: 'My_Project' }, 'project'],
    [{ project: 'my-project-123', disk_size_gb: 5 }, 'disk_size_gb'],
    [{ project: 'my-project-123', external_ip: 'no' }, 'external_ip'],
    [{ project: 'my-project-123', scopes: 'cloud-platform' }, 'scopes'],
    [{ project: 'my-project-123', endpoint: 'ftp://x' }, 'endpoint'],
    [{ project: 'my-project-123', endpoint: 'https://compute.googleapis.com/compute/v1' }, 'endpoint'],
    [{ project: 'my-project-123', zone: 'us-central1-a' }, 'zone'],
  ])('refuses %j', (settings, field) => {
    let caught: unknown;
    try {
      parseGcpSettings(settings);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NavarchError);
    expect((caught as NavarchError).details).toEqual({ field });
  });
});
