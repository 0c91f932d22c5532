import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NavarchError } from '../../model/index.js';
import { DEFAULT_ENDPOINT, DEFAULT_LAUNCH_INTERVAL_MS, DEFAULT_REQUEST_INTERVAL_MS, parseLambdaSettings } from './settings.js';

const root = path.resolve('/repo');

describe('lambda settings', () => {
  it('default to the public API and its documented rate limits', () => {
    expect(parseLambdaSettings(root, {})).toEqual({
      endpoint: DEFAULT_ENDPOINT,
      regions: [],
      sshKeyNames: [],
      fileSystemNames: [],
      apiKeyFile: undefined,
      requestIntervalMs: DEFAULT_REQUEST_INTERVAL_MS,
      launchIntervalMs: DEFAULT_LAUNCH_INTERVAL_MS,
    });
    expect(DEFAULT_ENDPOINT).toBe('https://cloud.lambda.ai/api/v1');
    expect(DEFAULT_REQUEST_INTERVAL_MS).toBe(1_000);
    expect(DEFAULT_LAUNCH_INTERVAL_MS).toBe(12_000);
  });

  it('read every setting a user writes', () => {
    const s = parseLambdaSettings(root, {
      endpoint: 'http://127.0.0.1:8080/api/v1/',
      regions: ['us-east-1', 'us-west-1', 'us-east-1'],
      ssh_key_names: ['ops'],
      file_system_names: ['datasets'],
      api_key_file: '.secrets/lambda',
      request_interval: '500ms',
      launch_interval: 15,
    });
    expect(s).toEqual({
      endpoint: 'http://127.0.0.1:8080/api/v1',
      regions: ['us-east-1', 'us-west-1'],
      sshKeyNames: ['ops'],
      fileSystemNames: ['datasets'],
      apiKeyFile: path.join(root, '.secrets/lambda'),
      requestIntervalMs: 500,
      launchIntervalMs: 15_000,
    });
  });

  it.each([
    [{ endpoint: 'ftp://example.com' }, 'endpoint'],
    [{ endpoint: 'not a url' }, 'endpoint'],
    [{ regions: 'us-east-1' }, 'regions'],
    [{ ssh_key_names: [''] }, 'ssh_key_names'],
    [{ file_system_names: [3] }, 'file_system_names'],
    [{ api_key_file: '' }, 'api_key_file'],
    [{ launch_interval: 'soon' }, 'launch_interval'],
    [{ request_interval: -1 }, 'request_interval'],
  ])('refuse %j, naming the field', (settings, field) => {
    let err: unknown;
    try {
      parseLambdaSettings(root, settings);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NavarchError);
    expect((err as NavarchError).message).toContain(`"${field}"`);
  });
});
