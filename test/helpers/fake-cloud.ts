/** Builds fake-cloud providers over throw-away directories for tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log/index.js';
import { systemClock, type Clock, type ProviderConfig } from '../../src/model/index.js';
import { createFakeProvider, type FakeProvider } from '../../src/providers/fake/index.js';

/** A fresh empty directory under the OS temp dir; `cleanup` removes it. */
export async function tempRoot(prefix = 'navarch-fake-'): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** The ProviderConfig navarch.yaml would give for a fake provider with these settings. */
export function fakeConfig(name: string, settings: Record<string, unknown> = {}): ProviderConfig {
  return { name, type: 'fake', settings, source: { file: 'navarch.yaml', line: 1, column: 1 } };
}

/** A fake provider rooted at `root`. */
export async function fakeProvider(
  root: string,
  settings: Record<string, unknown> = {},
  options: { name?: string; clock?: Clock } = {},
): Promise<FakeProvider> {
  const provider = await createFakeProvider(fakeConfig(options.name ?? 'local', settings), {
    root,
    clock: options.clock ?? systemClock,
    logger: silentLogger,
    env: {},
  });
  return provider as FakeProvider;
}

/** Fake-cloud tests build their requests with the shared builder; its defaults are the fake cloud's. */
export { provisionRequest } from './provider-requests.js';
