import { describe, expect, it } from 'vitest';
import { ManualClock } from '../model/index.js';
import { INSECURE_NODE_SECRET, nodeToken } from '../server/index.js';
import type { CliContext } from './context.js';
import { main } from './main.js';

async function run(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    stdout: { write: (t) => void (out += t), isTTY: false },
    stderr: { write: (t) => void (err += t), isTTY: false },
    stdin: process.stdin,
    env,
    cwd: '/',
    clock: new ManualClock(0),
    exitCode: 0,
  };
  const code = await main(['node', 'navarch', 'token', ...args], ctx);
  return { code, out, err };
}

describe('navarch token node', () => {
  it("prints the node's token, the one the control plane checks", async () => {
    const secret = 'a-node-secret-of-some-length';
    expect(await run({ NAVARCH_NODE_SECRET: secret }, 'node', 'train-3')).toEqual({ code: 0, out: `${nodeToken(secret, 'train-3')}\n`, err: '' });
  });

  it('uses the development secret only when asked', async () => {
    expect((await run({}, 'node', 'train-3', '--insecure-dev')).out).toBe(`${nodeToken(INSECURE_NODE_SECRET, 'train-3')}\n`);
    const refused = await run({}, 'node', 'train-3');
    expect(refused.code).toBe(1);
    expect(refused.err).toBe('error: set NAVARCH_NODE_SECRET (the secret navarch serve derives node tokens from), or pass --insecure-dev\n');
  });

  it('refuses what is not a node name', async () => {
    const r = await run({ NAVARCH_NODE_SECRET: 'a-node-secret-of-some-length' }, 'node', 'Train 3');
    expect(r.code).toBe(1);
    expect(r.err).toContain('"Train 3" is not a node name');
  });
});
