import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../model/index.js';
import { credentialSource } from './registry.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'navarch-creds-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

const config = (type: ProviderConfig['type'], settings: Record<string, unknown> = {}): ProviderConfig => ({ name: type, type, settings }) as ProviderConfig;
const source = (type: ProviderConfig['type'], env: Record<string, string>, settings?: Record<string, unknown>) => credentialSource(config(type, settings), { root: home, env: { HOME: home, ...env } });

describe('where credentials come from', () => {
  it('follows the AWS chain in its order, naming files and variables but no secret', async () => {
    expect(await source('aws', { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-value-123' })).toBe('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment');
    expect(await source('aws', { AWS_PROFILE: 'research' })).toBe(`profile "research" (AWS_PROFILE) of ${home}/.aws/credentials or ${home}/.aws/config`);
    expect(await source('aws', { AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token', AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/navarch' })).toBe('web identity token /var/run/token for role arn:aws:iam::123456789012:role/navarch');
    expect(await source('aws', { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' })).toBe("the container's task role");
    expect(await source('aws', {})).toBe(`none in the environment or ${home}/.aws/credentials: only an EC2 instance role can answer`);
    await mkdir(join(home, '.aws'));
    await writeFile(join(home, '.aws/config'), '[default]\nsso_session = corp\n');
    expect(await source('aws', {})).toBe(`the default profile of ${home}/.aws/config`);
  });

  it("finds Google's key file, then gcloud's credentials, else only the metadata server", async () => {
    const key = join(home, 'sa.json');
    await writeFile(key, JSON.stringify({ type: 'service_account', private_key: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n' }));
    expect(await source('gcp', { GOOGLE_APPLICATION_CREDENTIALS: key })).toBe(`service account key file ${key} (GOOGLE_APPLICATION_CREDENTIALS)`);
    expect(await source('gcp', {})).toBe('none in the environment or from gcloud: only the metadata server of a Google Cloud machine can answer');
    await mkdir(join(home, '.config/gcloud'), { recursive: true });
    await writeFile(join(home, '.config/gcloud/application_default_credentials.json'), '{"type":"authorized_user"}');
    expect(await source('gcp', {})).toBe(`gcloud's application default credentials (${home}/.config/gcloud/application_default_credentials.json)`);
  });

  it("names Lambda's key file or variable, and the fake cloud needs none", async () => {
    expect(await source('lambda', {}, { api_key_file: 'lambda.key' })).toBe(`the key file ${home}/lambda.key (api_key_file)`);
    expect(await source('lambda', { LAMBDA_API_KEY: 'secret_key_1234' })).toBe('LAMBDA_API_KEY in the environment');
    expect(await source('fake', {})).toBe('none needed (the embedded fake cloud)');
  });
});
