/**
 * The agent's log as a process writes it: JSON lines off a terminal, each with its time and each key
 * once, though every area logs through a child of the agent's own logger (`component: agent`
 * first, then `gpu`, `reporter`, ...); and text lines when asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicateKey } from '../../src/log/testing.js';
import { startAgent, waitFor } from './agent-process.js';
import { startControlPlane, type ControlPlaneUnderTest } from './control-plane.js';

let cp: ControlPlaneUnderTest;
beforeAll(async () => {
  cp = await startControlPlane({ intervals: { heartbeatIntervalSec: 1, healthIntervalSec: 1, commandPollIntervalSec: 0.5 } });
});
afterAll(async () => cp.close());

async function runAgent(nodeId: string, extra: string[]): Promise<string[]> {
  const agent = startAgent(['run', '--server', cp.url, '--node-id', nodeId, '--no-kmsg', '--cloud', 'none', '--fake-gpus', '2', ...extra], {
    NAVARCH_NODE_TOKEN: await cp.tokenFor(nodeId),
  });
  await waitFor(async () => (await cp.reports(nodeId)).length > 0, 20_000, `${nodeId} to report`);
  expect(await agent.stop()).toBe(0);
  expect(agent.stdout).toBe('');
  const lines = agent.stderr.split('\n');
  expect(lines.pop()).toBe('');
  return lines;
}

describe('navarch-agent logs', () => {
  it('writes one component per JSON record, whichever area wrote it', { timeout: 60_000 }, async () => {
    const lines = await runAgent('logs-1', []);
    const components = new Set<unknown>();
    for (const line of lines) {
      expect(duplicateKey(line), line).toBeUndefined();
      const r = JSON.parse(line) as Record<string, unknown>;
      expect(typeof r['time'], line).toBe('number');
      components.add(r['component']);
    }
    // Records of children of the `agent` logger, each under its own component only.
    expect(components).toContain('agent');
    expect(components).toContain('gpu');
  });

  it('--log-format text: every line starts with its time and level', { timeout: 60_000 }, async () => {
    const lines = await runAgent('logs-2', ['--log-format', 'text']);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S/);
    expect(lines.some((l) => / GPU source ready component=gpu /.test(l))).toBe(true);
  });
});
