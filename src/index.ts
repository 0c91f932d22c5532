/**
 * navarch as a library: `import { loadConfig, plan, apply } from 'navarch'`.
 *
 * The same steps the CLI runs, each on its own: read and validate a config repository
 * (`loadConfig`), build its providers and see what exists (`createProviders`, `observe`), decide
 * (`plan`, pure), show (`renderText`, `renderJson`, `renderMarkdown`) and act (`apply`). The
 * interfaces extensions implement (`Provider`, `Notifier`, `Autoscaler`, `MetricsSource`) are the
 * ones the built-ins use. Everything else inside the package is private and may change between
 * versions; this file is what is kept stable.
 */
import { directorySource, loadDesired } from './config/index.js';
import type { DesiredFleet } from './model/index.js';

export { plan, renderText, renderJson, renderMarkdown, type PlanOptions, type TextOptions, type MarkdownOptions } from './plan/index.js';
export { apply, type ApplyOptions, type ApplyResult, type ApplyEvent, type ActionResult, type LifecycleHooks, type UserDataHook } from './apply/index.js';
export { observe, type Observation, type ObserveInput, type NodeFacts } from './observe/index.js';
export { createProviders, type Provider, type ProviderContext, type ProviderFactory } from './providers/index.js';
export { readStatus, writeStatus } from './status/index.js';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './log/index.js';
// Types only: the control plane itself (fastify, the store) is not loaded by importing navarch.
export type { Notifier, NotifiedNode } from './server/index.js';
export {
  systemClock,
  ManualClock,
  NavarchError,
  ConfigError,
  ProviderError,
  StalePlanError,
  GuardError,
  formatDiagnostic,
  type Autoscaler,
  type MetricsSource,
  type MetricSample,
  type PoolState,
  type ScaleRecommendation,
  type Clock,
  type DesiredFleet,
  type Diagnostic,
  type FleetStatus,
  type Instance,
  type ListFilter,
  type Offer,
  type Action,
  type ObservedFleet,
  type Plan,
  type PoolSpec,
  type ProvisionRequest,
  type ProviderConfig,
  type ProviderType,
  type ProviderErrorClass,
} from './model/index.js';

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Git commit the directory was read at, carried into `DesiredFleet.commit` (and the plan's stamp). */
  commit?: string;
}

/**
 * Reads and validates the config repository in `dir` (`navarch.yaml`, `pools/`, `jobs/`) into
 * the desired state, as `navarch validate` and `navarch plan` do. Throws `ConfigError` when it is
 * invalid: `err.diagnostics` lists every problem with its file, line, column and field.
 */
export function loadConfig(dir: string, options: LoadConfigOptions = {}): Promise<DesiredFleet> {
  return loadDesired(directorySource(dir), options.commit !== undefined ? { commit: options.commit } : {});
}
