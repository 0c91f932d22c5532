/**
 * `navarch serve` with a certificate and key speaks HTTPS only. The certificate is made here with
 * openssl, self-signed for 127.0.0.1, and trusted by the test's client alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { systemClock } from '../../src/model/index.js';
import { nodeToken, startServe, type RunningServer } from '../../src/server/index.js';
import { call, registration } from './helpers.js';

const ENV = { NAVARCH_AUTH_TOKEN: 'tls-admin-token-0123456789', NAVARCH_NODE_SECRET: 'tls-node-secret-0123456789' };
let dir: string;
let ca: Buffer;
let server: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  ca = await readFile(join(dir, 'cert.pem'));
  await mkdir(join(dir, 'pools'));
  await writeFile(join(dir, 'navarch.yaml'), 'providers:\n  local: { type: fake }\ncontrol_plane:\n  listen: 127.0.0.1:0\n  interval: 1h\n  tls: { cert: cert.pem, key: key.pem }\n');
  server = await startServe({ dir, env: ENV, clock: systemClock, logger: silentLogger });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function post(url: string, token: string, body: unknown, trust: Buffer | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, { method: 'POST', ca: trust, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe('TLS', () => {
  it('serves the agent API over HTTPS with the given certificate', async () => {
    expect(server.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.agentUrl).toBe(server.address);
    const r = await post(`${server.address}/v1/nodes/train-1/register`, nodeToken(ENV.NAVARCH_NODE_SECRET, 'train-1'), registration(), ca);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ nodeId: 'train-1', heartbeatIntervalSec: 30 });
  });

  it('is refused by a client that does not trust the certificate, and does not speak plain HTTP', async () => {
    await expect(post(`${server.address}/v1/nodes/train-1/register`, 'x', {}, undefined)).rejects.toThrow(/self[- ]signed/i);
    await expect(call(`${server.address.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
  });
});
