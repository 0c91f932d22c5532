/**
 * One pass of the loop, shared by the CLI, the GitHub Action, `reconcile` and `serve`:
 * read the desired state, build the providers, read the status, observe.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { CapacityMemory } from '../apply/index.js';
import { directorySource, loadDesired, readRepositoryFile, type ConfigSource } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { Clock, DesiredFleet, FleetStatus } from '../model/index.js';
import { observe, type NodeFacts, type Observation } from '../observe/index.js';
import { plan, type PlanOptions, type UnavailableOffering } from '../plan/index.js';
import { createProviders, type Provider } from '../providers/index.js';
import { parseStatus } from '../status/index.js';
import { checkFleetIdentity } from './fleet-identity.js';
import { liveUnavailable } from './offers.js';

export interface WorkspaceOptions {
  /** A directory (local mode) or any ConfigSource (a git commit). */
  source: ConfigSource | string;
  /** Directory that holds the status file and local state; defaults to the source root. */
  workdir?: string;
  commit?: string;
  clock: Clock;
  logger: Logger;
  env: Readonly<Record<string, string | undefined>>;
  facts?: ReadonlyMap<string, NodeFacts>;
  signal?: AbortSignal;
  /** Injected providers (tests, the control plane's shared instances). */
  providers?: ReadonlyMap<string, Provider>;
}

export interface Workspace {
  root: string;
  desired: DesiredFleet;
  status: FleetStatus | undefined;
  providers: ReadonlyMap<string, Provider>;
  observation: Observation;
  memory: CapacityMemory;
  /** Offerings the clouds report without capacity now (from `offers()`); plans try them last. */
  unavailableNow: UnavailableOffering[];
}

const MEMORY_FILE = '.navarch/capacity.json';

/** Loads and validates the desired state only (no provider is built, nothing is listed). */
export async function loadWorkspaceDesired(opts: Pick<WorkspaceOptions, 'source' | 'commit'>): Promise<DesiredFleet> {
  const source = typeof opts.source === 'string' ? directorySource(opts.source) : opts.source;
  return loadDesired(source, opts.commit ? { commit: opts.commit } : {});
}

export async function openWorkspace(opts: WorkspaceOptions): Promise<Workspace> {
  const desired = await loadWorkspaceDesired(opts);
  const root = opts.workdir ?? desired.root;
  const text = await readRepositoryFile(root, desired.statusFile);
  const status = text === undefined ? undefined : parseStatus(text, desired.statusFile);
  checkFleetIdentity(desired, status);
  return workspaceFrom(desired, status, root, opts);
}

/** What building a workspace needs besides the desired state and status already read. */
export type WorkspaceContext = Pick<WorkspaceOptions, 'clock' | 'logger' | 'env' | 'facts' | 'signal' | 'providers'>;

/** Builds the providers (unless given), observes the fleet and reads live offers, for a desired state already loaded. */
export async function workspaceFrom(
  desired: DesiredFleet,
  status: FleetStatus | undefined,
  root: string,
  opts: WorkspaceContext,
): Promise<Workspace> {
  const providers =
    opts.providers ?? (await createProviders(desired.providers, { root, clock: opts.clock, logger: opts.logger, env: opts.env }));
  const observation = await observe({
    desired,
    providers,
    status,
    clock: opts.clock,
    ...(opts.facts ? { facts: opts.facts } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const unavailableNow = await liveUnavailable(desired, providers, opts.logger, opts.signal);
  return { root, desired, status, providers, observation, memory: await loadMemory(root), unavailableNow };
}

/** Plans a workspace at the clock's now, trying recently exhausted offerings and those without live capacity last. */
export function planWorkspace(ws: Workspace, clock: Clock, extra: Partial<PlanOptions> = {}): ReturnType<typeof plan> {
  const now = clock.now();
  const fixedLabels = new Set([...ws.providers].filter(([, p]) => !p.setLabels).map(([name]) => name));
  return plan(ws.desired, ws.observation.observed, { now, unavailable: [...ws.memory.unavailable(now), ...ws.unavailableNow], fixedLabels, ...extra });
}

export async function loadMemory(root: string): Promise<CapacityMemory> {
  try {
    return CapacityMemory.fromJSON(JSON.parse(await readFile(join(root, MEMORY_FILE), 'utf8')));
  } catch {
    return new CapacityMemory();
  }
}

export async function saveMemory(root: string, memory: CapacityMemory): Promise<void> {
  await mkdir(join(root, '.navarch'), { recursive: true });
  await writeFileAtomic(join(root, MEMORY_FILE), JSON.stringify(memory.toJSON()));
}
