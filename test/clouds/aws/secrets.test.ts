/**
 * Credentials found by the AWS credential chain (not handed to navarch explicitly) are registered
 * as secrets as soon as the SDK loads them, so a cloud error echoing them is redacted.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/index.js';
import { clearSecrets, TAG } from '../../../src/model/index.js';
import { providerFailure } from '../../helpers/provider-requests.js';
import { awsTestbed, ec2Request, type AwsTestbed } from './harness.js';

const CHAIN_KEY_ID = 'AKIACHAINEXAMPLE0042';
const CHAIN_SECRET = 'chain/Secret+Key0fTheDefaultProviderChain42';
const CHAIN_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEchainSessionToken42';

let bed: AwsTestbed;
let lines: string[];
const saved: Record<string, string | undefined> = {};

beforeEach(async () => {
  clearSecrets();
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) saved[k] = process.env[k];
  process.env['AWS_ACCESS_KEY_ID'] = CHAIN_KEY_ID;
  process.env['AWS_SECRET_ACCESS_KEY'] = CHAIN_SECRET;
  process.env['AWS_SESSION_TOKEN'] = CHAIN_TOKEN;
  lines = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  // No credentials in navarch's environment: the SDK's default chain finds them in the process environment.
  bed = await awsTestbed({ env: {}, logger: createLogger({ level: 'debug', destination: sink }), serverAccessKeyId: CHAIN_KEY_ID });
});

afterEach(async () => {
  await bed.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

it('signs with what the chain found', async () => {
  await bed.provider.list({ tags: {} });
  expect(bed.server.requests[0]?.authorization).toContain(`Credential=${CHAIN_KEY_ID}/`);
  expect(bed.server.requests[0]?.securityToken).toBe(CHAIN_TOKEN);
});

it('redacts those credentials from errors that echo them', async () => {
  await bed.provider.list({ tags: {} });
  bed.server.inject({
    action: 'DescribeInstances',
    code: 'SignatureDoesNotMatch',
    status: 403,
    message: `The request signature we calculated does not match (${CHAIN_KEY_ID} ${CHAIN_SECRET} ${CHAIN_TOKEN})`,
  });
  const pe = await providerFailure(bed.provider.list({ tags: {} }));
  expect(pe.errorClass).toBe('auth');
  const rendered = [pe.message, JSON.stringify(pe.toJSON()), String(pe)].join('\n');
  expect(rendered).toContain('[REDACTED]');
  for (const secret of [CHAIN_KEY_ID, CHAIN_SECRET, CHAIN_TOKEN]) expect(rendered).not.toContain(secret);
});

it('keeps them out of the logs', async () => {
  const inst = await bed.provider.provision(ec2Request({ tags: { [TAG.fleet]: 'research', [TAG.node]: 'train-1' } }));
  await bed.provider.terminate(inst.id);
  expect(lines.length).toBeGreaterThan(0);
  for (const secret of [CHAIN_KEY_ID, CHAIN_SECRET, CHAIN_TOKEN]) expect(lines.join('')).not.toContain(secret);
});
