import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact } from '../src/model/index.js';
import { AgentConfigError, DEFAULT_INTERVALS, resolveConfig, splitCommand, tokenSource } from './config.js';

const env = { NAVARCH_SERVER: 'https://cp.example.com', NAVARCH_NODE_ID: 'train-3', NAVARCH_NODE_TOKEN: 'nvt_secret_token_value' };
afterEach(() => clearSecrets());

describe('resolveConfig', () => {
  it('takes the environment, with the original agent\'s intervals', () => {
    const c = resolveConfig({}, env);
    expect(c.server).toBe('https://cp.example.com');
    expect(c.nodeId).toBe('train-3');
    expect(c.token()).toBe('nvt_secret_token_value');
    expect(c.intervals).toEqual(DEFAULT_INTERVALS);
    expect(c.fixedIntervals).toEqual({ heartbeat: false, health: false, command: false });
    expect(c.gpu.choice).toBe('auto');
    expect(c.cloud.choice).toBe('auto');
    expect(c.kernelLog).toEqual({ path: '/dev/kmsg', journal: false, fromStart: false, pollMs: 250 });
    expect(c.bufferSize).toBe(512);
  });

  it('registers the token as a secret the moment it is read', () => {
    resolveConfig({}, env);
    expect(redact('token nvt_secret_token_value')).toBe('token [REDACTED]');
  });

  it('lets flags win, and marks intervals set by flag as fixed', () => {
    const c = resolveConfig({ server: 'http://10.0.0.2:8080', nodeId: 'x-1', heartbeatInterval: '5s', fakeGpus: '8', kmsg: '/var/log/kern.log', journal: true, pool: 'train', expectGpus: '8' }, env);
    expect(c.server).toBe('http://10.0.0.2:8080');
    expect(c.intervals.heartbeatMs).toBe(5000);
    expect(c.fixedIntervals.heartbeat).toBe(true);
    expect(c.gpu).toMatchObject({ choice: 'fake', fakeGpus: 8 });
    expect(c.kernelLog).toMatchObject({ path: '/var/log/kern.log', journal: true });
    expect(c.identity.pool).toBe('train');
    expect(c.expectGpus).toBe(8);
    expect(resolveConfig({ kmsg: false }, env).kernelLog).toBeUndefined();
  });

  it.each([
    [{}, { NAVARCH_NODE_ID: 'a', NAVARCH_NODE_TOKEN: 'tokentoken' }, 'no control plane'],
    [{ server: 'ftp://x' }, env, 'http(s) URL'],
    [{}, { NAVARCH_SERVER: 'http://x', NAVARCH_NODE_TOKEN: 'tokentoken' }, 'no node id'],
    [{}, { NAVARCH_SERVER: 'http://x', NAVARCH_NODE_ID: 'a' }, 'no node token'],
    [{ nodeId: 'GPU.host-1' }, env, '--node-id: "GPU.host-1" is not a node name'],
    [{ heartbeatInterval: 'soon' }, env, '--heartbeat-interval'],
    [{ gpuSource: 'cuda' }, env, '--gpu-source'],
    [{ bufferSize: '2' }, env, '--buffer-size'],
  ])('refuses %j', (flags, e, message) => {
    expect(() => resolveConfig(flags, e)).toThrow(AgentConfigError);
    expect(() => resolveConfig(flags, e)).toThrow(message);
  });
});

describe('tokenSource', () => {
  let dir = '';
  afterEach(async () => dir && rm(dir, { recursive: true, force: true }));

  it('reads a token file and picks up a rotated token', async () => {
    dir = await mkdtemp(join(tmpdir(), 'navarch-token-'));
    const file = join(dir, 'token');
    await writeFile(file, 'first-token-value\n');
    const token = tokenSource({}, file);
    expect(token()).toBe('first-token-value');
    await writeFile(file, 'second-token-value-longer\n');
    expect(token()).toBe('second-token-value-longer');
    expect(redact('first-token-value second-token-value-longer')).toBe('[REDACTED] [REDACTED]');
    await writeFile(file, '');
    expect(token()).toBe('second-token-value-longer'); // an emptied file keeps the last token
  });

  it('fails clearly on a missing file', () => {
    expect(() => tokenSource({ NAVARCH_NODE_TOKEN_FILE: '/nonexistent/token' })).toThrow('cannot read the node token file /nonexistent/token');
  });
});

describe('splitCommand', () => {
  it('honours quotes', () => {
    expect(splitCommand(`shutdown -h +1 "navarch: bye now" 'x y'`)).toEqual(['shutdown', '-h', '+1', 'navarch: bye now', 'x y']);
  });
});
