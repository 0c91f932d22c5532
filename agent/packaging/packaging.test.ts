import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentUserData, systemdUnit } from './index.js';

const TOKEN = 'nvt_Zm9vYmFyYmF6cXV4cXV1eA';
const base = { server: 'https://navarch.example.com', nodeId: 'train-3', token: TOKEN, version: '0.1.0' };

let dir = '';
afterEach(async () => dir && rm(dir, { recursive: true, force: true }));

/** Runs `script` against a scratch root, with stand-ins for node, npm and systemctl (and any `extra`) that record their calls. */
async function runBootstrap(script: string, extra: Record<string, string> = {}) {
  dir = await mkdtemp(join(tmpdir(), 'navarch-userdata-'));
  const bin = join(dir, 'bin');
  const calls = join(dir, 'calls.log');
  execFileSync('mkdir', ['-p', bin]);
  const stub = (name: string, body: string) => writeFile(join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\n${body}\n`, { mode: 0o755 });
  await stub('node', 'echo 22');
  await stub('npm', `printf '#!/bin/sh\\n' > '${bin}/navarch-agent'; chmod +x '${bin}/navarch-agent'`);
  await stub('systemctl', '');
  for (const [name, body] of Object.entries(extra)) await stub(name, body);
  const root = join(dir, 'root');
  // stdin not a socket: bash would take itself for a remote shell and read ~/.bashrc.
  const r = spawnSync('bash', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, NAVARCH_ROOT: root }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { r, bin, root, calls: (await readFile(calls, 'utf8')).trim().split('\n') };
}

describe('systemdUnit', () => {
  it('runs the agent as a restarting service with a state directory and no token', () => {
    const unit = systemdUnit({ binary: '/usr/local/bin/navarch-agent', args: ['--expect-gpus', '8', '--pool', 'my pool'] });
    expect(unit).toContain('ExecStart=/usr/local/bin/navarch-agent run --state-dir /var/lib/navarch-agent --expect-gpus 8 --pool "my pool"');
    expect(unit).toContain('EnvironmentFile=/etc/navarch/agent.env');
    expect(unit).toContain('Restart=always');
    expect(unit).toContain('StateDirectory=navarch-agent');
    expect(unit).toContain('WantedBy=multi-user.target');
    expect(() => systemdUnit({ args: ['a\nExecStartPre=/bin/evil'] })).toThrow('single line');
  });
});

describe('agentUserData', () => {
  it('is valid bash', () => {
    const script = agentUserData({ ...base, pool: 'train', expectGpus: 8, registry: 'https://npm.internal.example.com/' });
    const r = spawnSync('bash', ['-n'], { input: script });
    expect(r.status).toBe(0);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
  });

  it('puts the token in one place only: a root-only file, written by a quoted here-document', () => {
    const script = agentUserData(base);
    const lines = script.split('\n');
    const at = lines.indexOf(TOKEN);
    expect(lines.filter((l) => l.includes(TOKEN))).toEqual([TOKEN]);
    expect(lines[at - 1]).toBe(`cat > "$ROOT/etc/navarch/node-token" <<'NAVARCH_TOKEN_EOF'`);
    expect(lines[at + 1]).toBe('NAVARCH_TOKEN_EOF');
    expect(lines.indexOf('umask 077')).toBeLessThan(at);
    expect(script).not.toMatch(/set -x|echo .*TOKEN/);
  });

  it('refuses values that cannot be placed safely', () => {
    expect(() => agentUserData({ ...base, token: 'abc\nrm -rf /' })).toThrow('single line');
    expect(() => agentUserData({ ...base, nodeId: 'x; reboot' })).toThrow('nodeId');
    expect(() => agentUserData({ ...base, server: 'https://x $(reboot)' })).toThrow('server');
    expect(() => agentUserData({ ...base, version: '1.0; curl evil' })).toThrow('version');
    expect(() => agentUserData({ ...base, token: 'x NAVARCH_TOKEN_EOF' })).toThrow('token');
    expect(() => agentUserData({ ...base, pool: "it's" })).toThrow('pool');
    expect(() => agentUserData({ ...base, server: "https://x/'y" })).toThrow('single quote');
  });

  it('installs the navarch-agent package, writes root-only files and starts the unit (run against a scratch root)', async () => {
    // $ and % mean something to systemd in a unit, nothing in an environment file: they stay as written.
    const server = 'https://cp.example.com/navarch$x/%h?a=b&c=`d`';
    const script = agentUserData({ ...base, server, pool: 'train', expectGpus: 8, registry: 'https://npm.internal.example.com/' });
    const { r, bin, root, calls } = await runBootstrap(script);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain(TOKEN);
    expect(calls).toEqual([
      'node -p process.versions.node.split(".")[0]',
      'npm install -g --no-fund --no-audit --registry https://npm.internal.example.com/ navarch-agent@0.1.0',
      'systemctl daemon-reload',
      'systemctl enable --now navarch-agent.service',
    ]);
    const mode = async (p: string) => ((await stat(join(root, p))).mode & 0o777).toString(8);
    expect(await readFile(join(root, 'etc/navarch/node-token'), 'utf8')).toBe(`${TOKEN}\n`);
    expect(await mode('etc/navarch')).toBe('700');
    expect(await mode('etc/navarch/node-token')).toBe('600');
    expect(await mode('etc/navarch/agent.env')).toBe('600');
    expect(await mode('etc/systemd/system/navarch-agent.service')).toBe('644');
    const envFile = await readFile(join(root, 'etc/navarch/agent.env'), 'utf8');
    expect(envFile).toContain('NAVARCH_NODE_TOKEN_FILE=/etc/navarch/node-token');
    expect(envFile).not.toContain(TOKEN);
    expect(envFile).toContain(`NAVARCH_SERVER='${server}'`);
    expect(envFile).toContain(`NAVARCH_POOL='train'`);
    expect(envFile).toContain('NAVARCH_EXPECT_GPUS=8');
    const unit = await readFile(join(root, 'etc/systemd/system/navarch-agent.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${bin}/navarch-agent run --state-dir /var/lib/navarch-agent`);
    expect(unit).not.toContain(TOKEN);
  });

  it('keeps the agent an image already carries at that version, and replaces one at another', async () => {
    const same = await runBootstrap(agentUserData(base), { 'navarch-agent': 'echo 0.1.0' });
    expect(same.r.stderr).toBe('');
    expect(same.r.status).toBe(0);
    expect(same.calls).toEqual([
      'node -p process.versions.node.split(".")[0]',
      'navarch-agent --version',
      'systemctl daemon-reload',
      'systemctl enable --now navarch-agent.service',
    ]);
    await rm(dir, { recursive: true, force: true });
    const older = await runBootstrap(agentUserData(base), { 'navarch-agent': 'echo 0.0.9' });
    expect(older.r.status).toBe(0);
    expect(older.calls).toContain('npm install -g --no-fund --no-audit --registry https://registry.npmjs.org/ navarch-agent@0.1.0');
  });
});
