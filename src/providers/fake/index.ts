/**
 * The embedded fake cloud: navarch's default provider type, usable without any account, and the
 * cloud every integration test runs against. State lives in a JSON file beside the config.
 */
import type { ProviderFactory } from '../types.js';
import { FakeProvider } from './provider.js';
import { parseFakeSettings } from './settings.js';

/**
 * Where `state_file` is resolved from when not the repository: chosen by whoever runs navarch (a
 * test, a CI job keeping one fake cloud across checkouts), never by the repository itself.
 */
export const FAKE_CLOUD_DIR_ENV = 'NAVARCH_FAKE_CLOUD_DIR';

/** Builds a fake-cloud provider from its navarch.yaml settings. */
export const createFakeProvider: ProviderFactory = (config, ctx) => {
  const settings = parseFakeSettings(ctx.env[FAKE_CLOUD_DIR_ENV] || ctx.root, config.settings);
  const logger = ctx.logger.child({ component: 'fake-cloud', provider: config.name });
  return new FakeProvider(config.name, settings, ctx.clock, logger);
};

export { FakeProvider } from './provider.js';
export {
  DEFAULT_PAGE_SIZE,
  DEFAULT_STATE_FILE,
  parseFakeSettings,
  type CapacityLimits,
  type FailureOp,
  type FailureRule,
  type FakeSettings,
  type InjectableErrorClass,
} from './settings.js';
export {
  fakeCloudAdmin,
  readFakeState,
  type FakeCloudAdmin,
  type FakeStateSnapshot,
  type ForeignInstanceSpec,
} from './admin.js';
