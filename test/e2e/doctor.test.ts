/**
 * `navarch doctor` against real counterparts on 127.0.0.1: the fake cloud, the loopback Lambda and
 * EC2 APIs, a control plane (plain and TLS), and a git http-backend with read-write and read-only
 * tokens. Each failure must say what to fix, and no secret may appear in what it prints.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type TestRun } from '../../src/cli/testing.js';
import { silentLogger } from '../../src/log/index.js';
import { systemClock } from '../../src/model/index.js';
import { startServe, type RunningServer } from '../../src/server/index.js';
import { ACCESS_KEY_ID, AMI_EAST, fakeEc2, SECRET_ACCESS_KEY } from '../clouds/aws/harness.js';
import type { FakeEc2Server } from '../clouds/aws/ec2-server.js';
import { PROJECT, startGcp } from '../clouds/gcp/harness.js';
import { TEST_API_KEY } from '../clouds/lambda/harness.js';
import { LambdaCloudServer } from '../clouds/lambda/server.js';
import { removeDir } from '../helpers/cli.js';
import { fakeCloudEnv, fleetFiles } from '../helpers/git-fixtures.js';
import { startGitServer, type GitServer } from '../helpers/git-server.js';

interface Report {
  ok: boolean;
  checks: Array<{ check: string; name: string; status: string; detail: string; credentials?: string; fix?: string }>;
}

const ADMIN = 'doctor-admin-token-0123456789';
const CP_ENV = { NAVARCH_AUTH_TOKEN: ADMIN, NAVARCH_NODE_SECRET: 'doctor-node-secret-0123456789' };
const GIT_TOKEN = 'git-rw-token-0123456789abcdef';
const READ_TOKEN = 'git-ro-token-0123456789abcdef';
// The SDK must not find credentials, a profile or an instance role outside the test.
const AWS_ISOLATION = { AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials', AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1' };

let root: string;
let lambda: LambdaCloudServer;
let ec2: FakeEc2Server;
let plain: RunningServer;
let tls: RunningServer;
let git: GitServer;
let closedPort: number;

async function repo(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

async function doctor(args: string[], env: Record<string, string> = {}): Promise<TestRun & { report: Report }> {
  const run = await runCommand(['doctor', ...args, '--json'], { env: { HOME: root, ...env } });
  return { ...run, report: JSON.parse(run.out) as Report };
}

const find = (r: Report, check: string): Report['checks'][number] | undefined => r.checks.find((c) => c.check === check);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'navarch-doctor-'));
  lambda = await LambdaCloudServer.start({ apiKey: TEST_API_KEY, retryAfterSeconds: undefined, echoAuthorization: true });
  ec2 = fakeEc2({ images: [AMI_EAST] });
  await ec2.start();
  const cpDir = await repo('cp', { 'navarch.yaml': 'providers:\n  local: { type: fake }\ncontrol_plane:\n  listen: 127.0.0.1:0\n  interval: 1h\n' });
  plain = await startServe({ dir: cpDir, env: CP_ENV, clock: systemClock, logger: silentLogger });
  const tlsDir = await repo('cp-tls', { 'navarch.yaml': 'providers:\n  local: { type: fake }\ncontrol_plane:\n  listen: 127.0.0.1:0\n  interval: 1h\n  tls: { cert: cert.pem, key: key.pem }\n' });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(tlsDir, 'key.pem'), '-out', join(tlsDir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  tls = await startServe({ dir: tlsDir, env: CP_ENV, clock: systemClock, logger: silentLogger });
  git = await startGitServer({ token: GIT_TOKEN, readToken: READ_TOKEN });
  // A port nothing listens on: taken, then released.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
afterAll(async () => {
  await Promise.all([lambda.close(), ec2.close(), plain.close(), tls.close()]);
  await git.close();
  await removeDir(root);
});

describe('navarch doctor', () => {
  it('passes on the fake cloud and prints one line per check', async () => {
    const dir = await repo('fake', { 'navarch.yaml': 'fleet: demo\nproviders:\n  local: { type: fake }\n', 'pools/a.yaml': 'provider: local\ngpu: h100\ngpus: 8\nregion: local-1\nmin_nodes: 1\n' });
    const run = await doctor(['--dir', dir]);
    expect(run.code, run.err).toBe(0);
    expect(run.report.ok).toBe(true);
    expect(run.report.checks.map((c) => [c.check, c.status])).toEqual([
      ['config', 'ok'],
      ['provider', 'ok'],
      ['control_plane', 'skip'],
      ['git_fetch', 'skip'],
    ]);
    expect(find(run.report, 'provider')).toMatchObject({ name: 'local (fake)', credentials: 'none needed (the embedded fake cloud)', detail: 'listed 0 instances of fleet "demo"' });
    const text = await runCommand(['doctor', '--dir', dir]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^ok {4}provider {7}local \(fake\): listed 0 instances of fleet "demo"$/m);
    expect(text.out).toContain('Everything navarch needs answered.');
  });

  it('names where Lambda and AWS credentials come from, says which are refused, and prints no secret', async () => {
    const dir = await repo('clouds', {
      'navarch.yaml': [
        'fleet: research',
        'providers:',
        '  lam:',
        '    type: lambda',
        `    endpoint: ${lambda.url}`,
        '    ssh_key_names: [navarch-ops]',
        '    regions: [us-east-1]',
        '    request_interval: 0s',
        '  ec2:',
        '    type: aws',
        '    regions: [us-east-1]',
        `    ami: { us-east-1: ${AMI_EAST} }`,
        `    endpoint: ${ec2.url}`,
        '',
      ].join('\n'),
    });
    const good = { ...AWS_ISOLATION, LAMBDA_API_KEY: TEST_API_KEY, AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY };
    const ok = await doctor(['--dir', dir], good);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.report.checks.filter((c) => c.check === 'provider').map((c) => [c.name, c.status, c.credentials])).toEqual([
      ['ec2 (aws)', 'ok', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment'],
      ['lam (lambda)', 'ok', 'LAMBDA_API_KEY in the environment'],
    ]);

    const badLambda = 'lambda-wrong-key-0123456789abcdef';
    const badSecret = 'wrongSecretKey/0123456789abcdefEXAMPLE';
    const bad = await doctor(['--dir', dir], { ...good, LAMBDA_API_KEY: badLambda, AWS_ACCESS_KEY_ID: 'AKIAWRONGKEY00000000', AWS_SECRET_ACCESS_KEY: badSecret });
    expect(bad.code).toBe(1);
    expect(bad.report.ok).toBe(false);
    const [aws, lam] = bad.report.checks.filter((c) => c.check === 'provider');
    expect(lam).toMatchObject({ status: 'fail', credentials: 'LAMBDA_API_KEY in the environment' });
    expect(lam?.fix).toMatch(/^the cloud refused the credentials; they come from LAMBDA_API_KEY in the environment/);
    expect(aws).toMatchObject({ status: 'fail', credentials: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment' });
    expect(aws?.detail).toContain('AuthFailure');
    expect(aws?.fix).toMatch(/^the cloud refused the credentials/);
    for (const secret of [badLambda, badSecret, TEST_API_KEY, SECRET_ACCESS_KEY]) expect(bad.out + bad.err).not.toContain(secret);

    const none = await doctor(['--dir', dir], AWS_ISOLATION);
    const [awsNone, lamNone] = none.report.checks.filter((c) => c.check === 'provider');
    expect(lamNone).toMatchObject({ status: 'fail', credentials: "none: set LAMBDA_API_KEY, or api_key_file in the provider's settings" });
    expect(awsNone?.credentials).toBe('none: no keys in the environment, no /nonexistent/aws-credentials, and the instance role is disabled (AWS_EC2_METADATA_DISABLED)');
  });

  it('names the Google key file it uses, and says when the one named does not exist', async () => {
    const bed = await startGcp();
    try {
      const dir = await repo('gcp', { 'navarch.yaml': `fleet: research\nproviders:\n  gce:\n    type: gcp\n    project: ${PROJECT}\n    endpoint: ${bed.server.url}\n` });
      const ok = await doctor(['--dir', dir], { GOOGLE_APPLICATION_CREDENTIALS: bed.key.file, METADATA_SERVER_DETECTION: 'none' });
      expect(ok.code, ok.out).toBe(0);
      expect(find(ok.report, 'provider')).toMatchObject({ name: 'gce (gcp)', status: 'ok', credentials: `service account key file ${bed.key.file} (GOOGLE_APPLICATION_CREDENTIALS)` });
      const gone = join(root, 'no-such-key.json');
      const missing = await doctor(['--dir', dir], { GOOGLE_APPLICATION_CREDENTIALS: gone, METADATA_SERVER_DETECTION: 'none' });
      expect(missing.code).toBe(1);
      expect(find(missing.report, 'provider')).toMatchObject({ status: 'fail', credentials: `${gone} (GOOGLE_APPLICATION_CREDENTIALS), which does not exist` });
      expect(find(missing.report, 'provider')?.fix).toMatch(/^the cloud refused the credentials/);
    } finally {
      await bed.close();
    }
  });

  it('checks the control plane: reachable with the admin token, a refused token, no token, nothing listening, a TLS failure', async () => {
    const dir = await repo('cp-client', { 'navarch.yaml': `providers:\n  local: { type: fake }\ncontrol_plane:\n  url: ${plain.address}\n` });
    const ok = await doctor(['--dir', dir], { NAVARCH_AUTH_TOKEN: ADMIN });
    expect(find(ok.report, 'control_plane')).toMatchObject({ name: plain.address, status: 'ok', detail: 'reachable (control_plane.url); admin token accepted', credentials: 'NAVARCH_AUTH_TOKEN in the environment' });
    expect(ok.code).toBe(0);

    const refused = await doctor(['--dir', dir], { NAVARCH_AUTH_TOKEN: 'not-the-admin-token-000000' });
    expect(refused.code).toBe(1);
    expect(find(refused.report, 'control_plane')).toMatchObject({ status: 'fail', detail: 'reachable; the admin token was refused (HTTP 401)', fix: 'NAVARCH_AUTH_TOKEN must be the admin token navarch serve was started with' });
    expect(refused.out).not.toContain('not-the-admin-token-000000');

    const missing = await doctor(['--dir', dir]);
    expect(find(missing.report, 'control_plane')).toMatchObject({ status: 'fail', detail: 'reachable; no admin token to check', fix: "set NAVARCH_AUTH_TOKEN to the control plane's admin token" });

    // NAVARCH_SERVER overrides control_plane.url.
    const down = await doctor(['--dir', dir], { NAVARCH_SERVER: `http://127.0.0.1:${closedPort}`, NAVARCH_AUTH_TOKEN: ADMIN });
    expect(find(down.report, 'control_plane')).toMatchObject({ status: 'fail', detail: 'cannot reach it (ECONNREFUSED)', fix: 'check that navarch serve runs there and that NAVARCH_SERVER is the address this machine reaches it at' });

    const untrusted = await doctor(['--dir', dir], { NAVARCH_SERVER: tls.address, NAVARCH_AUTH_TOKEN: ADMIN });
    const check = find(untrusted.report, 'control_plane');
    expect(check?.status).toBe('fail');
    expect(check?.detail).toMatch(/^TLS failed \(DEPTH_ZERO_SELF_SIGNED_CERT\): /);
    expect(check?.fix).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('checks fetch and push access to --repo, then reads the config from it', async () => {
    const state = join(root, 'git-cloud', 'fake.json');
    await git.createRepo('fleet', fleetFiles(state));
    const url = git.repoUrl('fleet');
    const cache = join(root, 'git-cache');
    const env = { ...fakeCloudEnv(state), XDG_CACHE_HOME: cache };

    const rw = await doctor(['--repo', url], { ...env, NAVARCH_GIT_TOKEN: GIT_TOKEN });
    expect(rw.code, rw.out).toBe(0);
    expect(rw.report.checks.map((c) => [c.check, c.status])).toEqual([
      ['config', 'ok'],
      ['provider', 'ok'],
      ['control_plane', 'skip'],
      ['git_fetch', 'ok'],
      ['git_push', 'ok'],
    ]);
    expect(find(rw.report, 'git_fetch')).toMatchObject({ name: url, credentials: 'NAVARCH_GIT_TOKEN in the environment', detail: 'can fetch (1 branches)' });

    const ro = await doctor(['--repo', url], { ...env, NAVARCH_GIT_TOKEN: READ_TOKEN });
    expect(ro.code).toBe(1);
    expect(find(ro.report, 'git_fetch')?.status).toBe('ok');
    expect(find(ro.report, 'git_push')).toMatchObject({ status: 'fail', fix: 'set NAVARCH_GIT_TOKEN (or GITHUB_TOKEN) to a token with the access named above' });
    expect(find(ro.report, 'git_push')?.detail).toBe(`push: ${url} refused the credentials (HTTP 403). Set NAVARCH_GIT_TOKEN (or GITHUB_TOKEN) to a token that can push to it.`);

    const anonymous = await doctor(['--repo', url], env);
    expect(anonymous.code).toBe(1);
    expect(anonymous.report.checks.map((c) => [c.check, c.status])).toEqual([
      ['config', 'skip'],
      ['control_plane', 'skip'],
      ['git_fetch', 'fail'],
      ['git_push', 'fail'],
    ]);
    expect(find(anonymous.report, 'git_fetch')?.credentials).toBe('none (no token in the URL, NAVARCH_GIT_TOKEN or GITHUB_TOKEN)');
    for (const run of [rw, ro, anonymous]) for (const secret of [GIT_TOKEN, READ_TOKEN]) expect(run.out + run.err).not.toContain(secret);
  });

  it('fails the config check where there is no config, and keeps checking the rest', async () => {
    const run = await doctor(['--dir', join(root, 'nothing-here')], { NAVARCH_SERVER: plain.address, NAVARCH_AUTH_TOKEN: ADMIN });
    expect(run.code).toBe(1);
    expect(find(run.report, 'config')).toMatchObject({ status: 'fail', fix: 'run navarch doctor in the config repository (or give --dir or --repo)' });
    expect(find(run.report, 'control_plane')?.status).toBe('ok');
  });

  it('gives up on a control plane that accepts and never answers, within --timeout', async () => {
    const silent = createServer(() => undefined); // holds every connection open, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const dir = await repo('fake-silent', { 'navarch.yaml': 'providers:\n  local: { type: fake }\n' });
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      const run = await doctor(['--dir', dir, '--timeout', '300ms'], { NAVARCH_SERVER: url, NAVARCH_AUTH_TOKEN: ADMIN });
      expect(run.code).toBe(1);
      expect(find(run.report, 'control_plane')).toMatchObject({ status: 'fail', detail: 'cannot reach it (no answer within 300ms)' });
    } finally {
      silent.close();
    }
    expect((await runCommand(['doctor', '--timeout', 'soon'])).err).toBe('error: --timeout must be a duration such as 10s or 1m, not "soon"\n');
  });
});
