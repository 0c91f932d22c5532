/** Lambda providers pointed at a loopback Lambda cloud, built through the registry as navarch does. */
import { afterEach } from 'vitest';
import { silentLogger, type Logger } from '../../../src/log/index.js';
import { systemClock, type Clock, type ProviderConfig } from '../../../src/model/index.js';
import { createProvider, type Provider } from '../../../src/providers/index.js';
import { LambdaCloudServer, type LambdaServerOptions } from './server.js';

/** A recognisable key that matches none of the generic credential patterns, so only registration can hide it. */
export const TEST_API_KEY = 'lambda-test-key-PLUM-7f3c9a1e5b2d';

export function lambdaConfig(name: string, settings: Record<string, unknown>): ProviderConfig {
  return { name, type: 'lambda', settings, source: { file: 'navarch.yaml', line: 1, column: 1 } };
}

export interface LambdaSetup {
  server: LambdaCloudServer;
  provider: Provider;
  close(): Promise<void>;
}

export interface SetupOptions {
  server?: Partial<LambdaServerOptions>;
  /** Provider settings merged over the test defaults (no pacing, the server's endpoint, one SSH key). */
  settings?: Record<string, unknown>;
  clock?: Clock;
  env?: Record<string, string | undefined>;
  root?: string;
  logger?: Logger;
  name?: string;
}

/** Starts a loopback cloud and builds provider `name` (default `lam`) against it. */
export async function lambdaSetup(opts: SetupOptions = {}): Promise<LambdaSetup> {
  const clock = opts.clock ?? systemClock;
  const server = await LambdaCloudServer.start({ apiKey: TEST_API_KEY, clock, ...opts.server });
  const settings = {
    endpoint: server.url,
    ssh_key_names: ['navarch-ops'],
    request_interval: '0s',
    launch_interval: '0s',
    ...opts.settings,
  };
  const provider = await createProvider(lambdaConfig(opts.name ?? 'lam', settings), {
    root: opts.root ?? process.cwd(),
    clock,
    logger: opts.logger ?? silentLogger,
    env: opts.env ?? { LAMBDA_API_KEY: TEST_API_KEY },
  });
  return { server, provider, close: () => server.close() };
}

/**
 * For test files whose tests each start their own cloud, with their own options: returns a
 * `lambdaSetup` whose clouds are closed after the test that started them.
 */
export function lambdaSetupPerTest(): (opts?: SetupOptions) => Promise<LambdaSetup> {
  const started: LambdaSetup[] = [];
  afterEach(async () => {
    for (const setup of started.splice(0)) await setup.close();
  });
  return async (opts = {}) => {
    const setup = await lambdaSetup(opts);
    started.push(setup);
    return setup;
  };
}
