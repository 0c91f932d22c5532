import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AGENT_VERSION } from '../../agent/packaging/index.js';
import type { PlacementCandidate } from '../model/index.js';
import { nodeToken } from './auth.js';
import { nodeUserData } from './user-data.js';

const SECRET = 'secret-for-the-test-0123';
const placement = (providerType: PlacementCandidate['providerType'], instanceType: string): PlacementCandidate => ({
  provider: 'p',
  providerType,
  region: 'r',
  zones: [],
  instanceType,
  priority: 0,
  spot: false,
  pricePerHour: undefined,
});

describe('nodeUserData', () => {
  const hook = nodeUserData({ serverUrl: 'https://cp.example:7600', nodeSecret: SECRET, version: '1.2.3' });

  it("is the agent's bootstrap with the node's identity, token, pool and the instance type's GPU count", () => {
    const script = hook('train-3', 'train', placement('fake', 'f1.8xh100')) ?? '';
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(script).toContain("NAVARCH_SERVER='https://cp.example:7600'\n");
    expect(script).toContain("NAVARCH_NODE_ID='train-3'\n");
    expect(script).toContain("NAVARCH_POOL='train'\n");
    expect(script).toContain('NAVARCH_EXPECT_GPUS=8\n');
    expect(script).toContain("NAVARCH_VERSION='1.2.3'");
    expect(script).toContain('systemctl enable --now navarch-agent.service');
    // The token of this node, written once, to the root-only token file.
    const lines = script.split('\n');
    expect(lines.filter((l) => l.includes(nodeToken(SECRET, 'train-3')))).toEqual([nodeToken(SECRET, 'train-3')]);
    expect(script).not.toContain(nodeToken(SECRET, 'train-4'));
  });

  it('asks for the GPU count of the type of each placement, and for none it does not know', () => {
    expect(hook('a-1', 'a', placement('aws', 'p5.48xlarge'))).toContain('NAVARCH_EXPECT_GPUS=8\n');
    expect(hook('a-1', 'a', placement('fake', 'f1.1xa10'))).toContain('NAVARCH_EXPECT_GPUS=1\n');
    expect(hook('a-1', 'a', placement('aws', 'x9.unknown'))).not.toContain('NAVARCH_EXPECT_GPUS');
  });

  it('installs the control plane’s own version by default', () => {
    expect(nodeUserData({ serverUrl: 'http://cp:7600', nodeSecret: SECRET })('a-1', 'a', placement('fake', 'f1.8xh100'))).toContain(`NAVARCH_VERSION='${AGENT_VERSION}'`);
  });
});
