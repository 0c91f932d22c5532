/**
 * The public entry, used as the README's "Use navarch as a library" example uses it: a copy of the
 * quickstart, planned and applied on the embedded fake cloud through nothing but `navarch`'s
 * exports.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyExample, removeDir } from '../test/helpers/cli.js';
import * as navarch from './index.js';
import { apply, ConfigError, createProviders, loadConfig, observe, plan, readStatus, renderText, silentLogger, systemClock, writeStatus } from './index.js';

let dir: string;
beforeEach(async () => {
  dir = await copyExample('quickstart');
});
afterEach(async () => {
  await removeDir(dir);
});

/** One plan of `root`, as the example builds it. */
async function planOf(root: string) {
  const desired = await loadConfig(root);
  const status = await readStatus(desired.root, desired.statusFile);
  const providers = await createProviders(desired.providers, { root: desired.root, clock: systemClock, logger: silentLogger, env: process.env });
  const { observed } = await observe({ desired, providers, status, clock: systemClock });
  return { desired, status, providers, observed, plan: plan(desired, observed, { now: systemClock.now() }) };
}

describe("navarch's public entry", () => {
  it('loads, plans and applies a config directory, then plans no changes', async () => {
    const first = await planOf(dir);
    expect(renderText(first.plan, { color: false })).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    const result = await apply({
      plan: first.plan,
      desired: first.desired,
      observed: first.observed,
      previousStatus: first.status,
      providers: first.providers,
      clock: systemClock,
      writeStatus: (s) => writeStatus(first.desired.root, first.desired.statusFile, s),
    });
    expect(result.ok).toBe(true);
    expect(result.status.nodes).toHaveLength(3);

    const second = await planOf(dir);
    expect(second.status?.nodes).toHaveLength(3);
    expect(second.plan.actions).toEqual([]);
  });

  it('refuses an invalid directory with every problem, named by file and line', async () => {
    await writeFile(join(dir, 'pools/train.yaml'), 'provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodse: 2\n');
    const err = await loadConfig(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const diagnostics = (err as ConfigError).diagnostics;
    expect(diagnostics.some((d) => d.file === 'pools/train.yaml' && d.line === 4 && d.message.includes('min_nodes'))).toBe(true);
  });

  it('exports the documented functions', () => {
    for (const name of ['loadConfig', 'plan', 'apply', 'observe', 'createProviders', 'readStatus', 'writeStatus', 'renderText', 'renderJson', 'renderMarkdown']) {
      expect(typeof (navarch as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
