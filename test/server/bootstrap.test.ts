/**
 * What a node navarch serve creates boots with, read back from the fake cloud as a console would
 * show it: the agent's own bootstrap, naming the node, carrying a token that speaks for that node
 * only, and expecting the instance type's GPU count. A node replaced for an XID 79 gets the same,
 * and its token stays out of every log, status file and store.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG } from '../../src/model/index.js';
import { fakeCloudAdmin, readFakeState } from '../../src/providers/fake/index.js';
import { waitFor } from '../agent/agent-process.js';
import { startServeProcess, type ServeProcess } from '../helpers/serve.js';
import { TestAgent, xid } from './helpers.js';

const ENV = { NAVARCH_AUTH_TOKEN: 'bootstrap-admin-token-0123456789', NAVARCH_NODE_SECRET: 'bootstrap-node-secret-0123456789', NAVARCH_LOG_LEVEL: 'debug' };
/** The control plane's version: its nodes install the agent package of the same one. */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const TOKEN_HEREDOC = `cat > "$ROOT/etc/navarch/node-token" <<'NAVARCH_TOKEN_EOF'`;

let dir: string;
let serve: ServeProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'navarch-bootstrap-'));
  await mkdir(join(dir, 'pools'));
  await writeFile(join(dir, 'navarch.yaml'), 'fleet: boot\nproviders:\n  local: { type: fake, latency: 0s }\n');
  await writeFile(join(dir, 'pools/train.yaml'), 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: 1\nmax_nodes: 2\n');
});
afterEach(async () => {
  await serve?.stop();
  serve = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** The live instance of a node, once the fake cloud has it. */
async function instanceOf(node: string): Promise<{ id: string; state: string }> {
  return waitFor(async () => (await readFakeState(dir)).instances.find((i) => i.tags[TAG.node] === node && i.state !== 'terminated'), 20_000, `an instance of ${node}`);
}

/** The user data the node was launched with, and the token in it (the line of the token file's here-document). */
async function bootOf(node: string): Promise<{ script: string; token: string }> {
  const script = (await fakeCloudAdmin(dir).userData((await instanceOf(node)).id)) ?? '';
  const lines = script.split('\n');
  const token = lines[lines.indexOf(TOKEN_HEREDOC) + 1] ?? '';
  return { script, token };
}

/** Every file under `root` (recursively) whose text contains `needle`, relative to `root`. */
async function filesContaining(root: string, needle: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(needle)) out.push(path.slice(root.length + 1));
  }
  return out;
}

describe('navarch serve provisioning', () => {
  it("hands a replacement node the agent's bootstrap, with a token for that node only", { timeout: 90_000 }, async () => {
    serve = await startServeProcess(dir, { env: ENV });
    const first = await bootOf('train-1');
    const one = new TestAgent(serve.url, 'train-1', first.token);
    expect((await one.register()).status).toBe(200);
    expect((await one.report([xid(79, 3)])).status).toBe(200);

    // The XID condemns train-1: serve creates train-2 before it lets train-1 go.
    const second = await bootOf('train-2');
    const { script, token } = second;
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(script).toContain("NAVARCH_NODE_ID='train-2'\n");
    expect(script).toContain(`NAVARCH_SERVER='${serve.url}'\n`);
    expect(script).toContain("NAVARCH_POOL='train'\n");
    expect(script).toContain('NAVARCH_EXPECT_GPUS=8\n'); // f1.8xh100
    expect(script).toContain(`NAVARCH_VERSION='${VERSION}'\n`);
    expect(script).toContain('"navarch-agent@$NAVARCH_VERSION"');
    expect(script).toContain('systemctl enable --now navarch-agent.service');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).not.toBe(first.token);

    // The token speaks for train-2, and for no other node.
    const two = new TestAgent(serve.url, 'train-2', token);
    expect((await two.register()).status).toBe(200);
    expect((await new TestAgent(serve.url, 'train-1', token).heartbeat()).status).toBe(403);
    expect((await new TestAgent(serve.url, 'train-3', token).register()).status).toBe(403);
    // A healthy report makes train-2 ready, and train-1 goes.
    expect((await two.report()).status).toBe(200);
    await waitFor(async () => (await readFakeState(dir)).instances.some((i) => i.tags[TAG.node] === 'train-1' && i.state === 'terminated'), 20_000, 'train-1 to be terminated');

    expect(await serve.stop()).toBe(0);
    for (const t of [first.token, token]) {
      expect(serve.output()).not.toContain(t);
      // Only the cloud's own record of the user data holds it: not the status file, the store or anything else.
      expect(await filesContaining(dir, t)).toEqual(['.navarch/fake-cloud.json']);
    }
    expect(await readFile(join(dir, 'status/fleet.yaml'), 'utf8')).toContain('train-2');
  });
});
