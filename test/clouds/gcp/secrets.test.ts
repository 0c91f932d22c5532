/**
 * The service-account key and the tokens signed with it never reach anything navarch prints or
 * writes: errors (message, JSON, string form), logs, or the instances it reports.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/index.js';
import { NavarchError, redact, REDACTED, TAG } from '../../../src/model/index.js';
import type { Provider } from '../../../src/providers/index.js';
import { contractFault, gcpRequest, startGcp, type GcpTestbed } from './harness.js';
import type { ContractErrorClass } from '../../contract/provider-contract.js';

let bed: GcpTestbed;
let logs: string[];
let provider: Provider;
beforeEach(async () => {
  bed = await startGcp();
  logs = [];
  provider = await bed.makeProvider({ logger: createLogger({ level: 'trace', destination: { write: (line: string) => void logs.push(line) } }) });
});
afterEach(async () => {
  await bed.close();
});

/** The base64 lines of the PEM body: any one of them showing up is a leak. */
function keyLines(): string[] {
  return bed.key.privateKeyPem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
}

/** Everything about an outcome a person could end up seeing. */
function visible(outcome: unknown): string {
  if (outcome instanceof NavarchError) return [outcome.message, JSON.stringify(outcome), String(outcome), JSON.stringify(outcome.details)].join('\n');
  return JSON.stringify(outcome);
}

function expectNoSecrets(texts: string[]): void {
  const all = [...texts, ...logs].join('\n');
  for (const line of keyLines()) expect(all).not.toContain(line);
  expect(all).not.toContain(bed.key.privateKeyPem);
  for (const token of bed.server.tokensSeen) {
    expect(all).not.toContain(token);
    // The signature part alone would do as much harm.
    expect(all).not.toContain(token.split('.')[2]);
  }
}

it('registers the private key for redaction as soon as the provider is built', () => {
  for (const line of keyLines()) expect(redact(`oops: ${line}`)).toBe(`oops: ${REDACTED}`);
});

it('leaks neither the key nor any token through results, errors or logs', async () => {
  const outcomes: unknown[] = [];
  const run = async (p: Promise<unknown>): Promise<void> => {
    outcomes.push(await p.then((v) => v, (e: unknown) => e));
  };
  const inst = await provider.provision(gcpRequest({ userData: '#!/bin/sh\nnavarch-agent\n' }));
  outcomes.push(inst);
  await run(provider.list({ tags: { [TAG.fleet]: 'research' } }));
  const classes: ContractErrorClass[] = ['capacity', 'quota', 'throttled', 'auth', 'invalid', 'transient'];
  for (const errorClass of classes) {
    bed.server.fail('insert', contractFault('provision', errorClass, 'us-central1-a'));
    await run(provider.provision(gcpRequest({ nodeName: `train-${errorClass}` })));
    bed.server.fail('aggregatedList', contractFault('list', errorClass, 'us-central1-a'));
    await run(provider.list({ tags: {} }));
  }
  await run(provider.terminate(inst.id));
  expect(outcomes.filter((o) => o instanceof NavarchError)).toHaveLength(12);
  expect(bed.server.tokensSeen.size).toBeGreaterThan(0);
  expectNoSecrets(outcomes.map(visible));
});

it('leaks nothing when the key file is corrupt', async () => {
  const text = await readFile(bed.key.file, 'utf8');
  // A key whose PEM is damaged cannot sign; the library's complaint must not quote it.
  const damaged = text.replace(/MII[A-Za-z0-9+/]{10}/, 'MII!!!!!!!!!!!');
  await writeFile(bed.key.file, damaged);
  const broken = await bed.makeProvider({ logger: createLogger({ level: 'trace', destination: { write: (line: string) => void logs.push(line) } }) });
  const outcome = await broken.list({ tags: {} }).then((v) => v, (e: unknown) => e);
  expect(outcome).toBeInstanceOf(NavarchError);
  expect((outcome as { errorClass?: string }).errorClass).toBe('auth');

  // Not even JSON any more: a parse error must not quote the text around the fault either.
  await writeFile(bed.key.file, `${text.slice(0, text.indexOf('"client_email"'))} oops ${text.slice(text.indexOf('"client_email"'))}`);
  const unparsable = await bed.makeProvider();
  const parseOutcome = await unparsable.list({ tags: {} }).then((v) => v, (e: unknown) => e);
  expect(parseOutcome).toBeInstanceOf(NavarchError);
  expect((parseOutcome as { errorClass?: string }).errorClass).toBe('auth');
  expectNoSecrets([visible(outcome), visible(parseOutcome)]);
});

it('registers the refresh token and client secret of gcloud application-default credentials', async () => {
  const home = join(bed.dir, 'home');
  await mkdir(join(home, '.config', 'gcloud'), { recursive: true });
  const refresh = `1//0g${'x'.repeat(40)}-refresh`;
  const secret = 'GOCSPX-abcdefghijklmnopqrstuvwx';
  await writeFile(
    join(home, '.config', 'gcloud', 'application_default_credentials.json'),
    JSON.stringify({ type: 'authorized_user', client_id: '7654-apps.googleusercontent.com', client_secret: secret, refresh_token: refresh }),
  );
  await bed.makeProvider({ env: { HOME: home } });
  expect(redact(`token ${refresh} secret ${secret}`)).toBe(`token ${REDACTED} secret ${REDACTED}`);
});
