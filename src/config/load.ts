/** Reading a whole config repository: every file parsed, validated, cross-checked and normalised. */
import { basename } from 'node:path';
import { ConfigError, digestOf, NavarchError, type DesiredFleet, type Diagnostic, type JobSpec, type PoolSpec, type SourceRef } from '../model/index.js';
import { buildJob, type JobInput } from './jobs.js';
import { buildPool, checkReservedLabels, type PoolDefaults, type PoolInput } from './pools.js';
import { isInsideRepository, OUTSIDE_REPOSITORY } from './paths.js';
import { isProviderSecretPath, readProviders } from './providers.js';
import { bool, int, isRecord, num, rec, str, strMap } from './read.js';
import { schemaDiagnostics, type SchemaName } from './schema.js';
import { escapeSegment, Scope } from './scope.js';
import { SourceFileError, type ConfigSource } from './source.js';
import { checkWrittenPaths } from './written-paths.js';
import { parseYamlFile, type YamlFile } from './yaml-file.js';

/** Options of `loadDesired` / `validateRepo`. */
export interface LoadOptions {
  /** Git commit the source was read at, carried into `DesiredFleet.commit`. */
  commit?: string;
}

/** The outcome of validating a repository: the desired state when valid, and every problem found. */
export interface ValidationResult {
  desired: DesiredFleet | undefined;
  diagnostics: Diagnostic[];
}

export const ROOT_FILE = 'navarch.yaml';
const DEFAULT_STATUS_FILE = 'status/fleet.yaml';
const NAME = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;
const YAML_EXT = /\.ya?ml$/;

/** The fleet name a repository directory implies: lowercased, other characters turned into dashes. */
export function fleetNameFromRoot(root: string): string {
  const name = basename(root.replace(/[/\\]+$/, ''))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 39)
    .replace(/-+$/, '');
  return name || 'fleet';
}

/** One `pools/` or `jobs/` file, parsed and schema-checked. */
interface FileObject {
  name: string;
  scope: Scope;
  nameRef: SourceRef;
  doc: Record<string, unknown>;
}

/** A file (or folder) the source cannot read, as a diagnostic on the whole file. */
function unreadable(err: unknown, report: (d: Diagnostic) => void): boolean {
  if (!(err instanceof SourceFileError)) return false;
  report({ file: err.file, line: 1, column: 1, path: '', message: `this ${err.reason}` });
  return true;
}

async function readFile(source: ConfigSource, path: string, report: (d: Diagnostic) => void): Promise<YamlFile | undefined> {
  let text: string | undefined;
  try {
    text = await source.read(path);
  } catch (err) {
    if (unreadable(err, report)) return undefined;
    throw err;
  }
  if (text === undefined) return undefined;
  const parsed = parseYamlFile(path, text);
  if (!parsed.ok) {
    parsed.diagnostics.forEach(report);
    return undefined;
  }
  return parsed.yaml;
}

/**
 * Reads every YAML file of a folder as one object each, named by its `name:` or its file name.
 * Names of files that failed to parse are added to `broken`, so references to them are not errors too.
 */
async function readFolder(
  source: ConfigSource,
  dir: 'pools' | 'jobs',
  schema: SchemaName,
  report: (d: Diagnostic) => void,
  broken: Set<string>,
): Promise<FileObject[]> {
  const out: FileObject[] = [];
  let paths: string[];
  try {
    paths = await source.list(dir);
  } catch (err) {
    if (unreadable(err, report)) return out;
    throw err;
  }
  for (const path of paths.filter((p) => YAML_EXT.test(p))) {
    const fromFile = basename(path).replace(YAML_EXT, '');
    const yaml = await readFile(source, path, report);
    if (!yaml || !isRecord(yaml.value)) {
      broken.add(fromFile);
      continue;
    }
    const doc = yaml.value;
    const name = str(doc, 'name') ?? fromFile;
    const scope = new Scope(yaml, [], `/${dir}/${escapeSegment(name)}`);
    if (str(doc, 'name') === undefined && !NAME.test(name)) {
      const kind = dir === 'pools' ? 'pool' : 'job';
      report(scope.diag([], `${kind} name \`${name}\` (from the file name) is not valid: use lowercase letters, digits and dashes, starting with a letter; or set \`name:\``));
    }
    (await schemaDiagnostics(schema, doc, scope)).forEach(report);
    const nameRef = str(doc, 'name') === undefined ? scope.ref([], { key: true }) : scope.ref(['name']);
    out.push({ name, scope, nameRef, doc });
  }
  return out;
}

/** Reports every name defined more than once, at each place, naming the others. */
function reportDuplicates(items: Array<{ name: string; nameRef: SourceRef; scope: Scope }>, kind: string, report: (d: Diagnostic) => void): void {
  const groups = new Map<string, typeof items>();
  for (const item of items) groups.set(item.name, [...(groups.get(item.name) ?? []), item]);
  for (const [name, group] of groups) {
    if (group.length === 1) continue;
    for (const item of group) {
      const others = group.filter((o) => o !== item).map((o) => `${o.nameRef.file}:${o.nameRef.line}:${o.nameRef.column}`);
      report({ ...item.nameRef, path: item.scope.pointer(), message: `${kind} \`${name}\` is defined more than once; also at ${others.join(', ')}` });
    }
  }
}

const FILE_RANK = (file: string): number => (file === ROOT_FILE ? 0 : file.startsWith('pools/') ? 1 : file.startsWith('jobs/') ? 2 : 3);

/** Sorts diagnostics by file (navarch.yaml, pools, jobs), line and column, and drops repeats. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics
    .filter((d) => {
      const key = `${d.file}\0${d.line}\0${d.column}\0${d.path}\0${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => FILE_RANK(a.file) - FILE_RANK(b.file) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message));
}

/**
 * Checks a repository and, when it is valid, returns its normalised desired state. Never throws on
 * bad config; throws only when there is no repository to check (no navarch.yaml, no directory).
 */
export async function validateRepo(source: ConfigSource, opts: LoadOptions = {}): Promise<ValidationResult> {
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic): void => void diagnostics.push(d);

  const rootYaml = await readFile(source, ROOT_FILE, report);
  if (rootYaml === undefined && !diagnostics.some((d) => d.file === ROOT_FILE)) {
    // Not a problem in a file but the lack of any: there is no position to point at.
    throw new NavarchError('config.missing', source.missingRoot?.() ?? `no ${ROOT_FILE} at the root of ${source.root}`);
  }
  const root: Record<string, unknown> = rootYaml && isRecord(rootYaml.value) ? rootYaml.value : {};
  const rootScope = rootYaml ? new Scope(rootYaml, [], '') : undefined;
  if (rootScope) (await schemaDiagnostics('navarch', root, rootScope, isProviderSecretPath)).forEach(report);
  const providers = rootScope ? readProviders(root['providers'], rootScope, report) : undefined;

  const defaultsDoc = rec(root, 'defaults') ?? {};
  const defaultRegion = str(defaultsDoc, 'region');
  const defaults: PoolDefaults = {
    region: defaultRegion !== undefined && rootScope ? { value: defaultRegion, scope: rootScope, at: ['defaults', 'region'] } : undefined,
    spot: bool(defaultsDoc, 'spot'),
    labels: strMap(defaultsDoc, 'labels'),
    health: rec(defaultsDoc, 'health') ?? {},
  };

  if (rootScope) checkReservedLabels(rec(defaultsDoc, 'labels'), rootScope, ['defaults', 'labels'], report);

  const statusFile = str(root, 'status_file') ?? DEFAULT_STATUS_FILE;
  if (rootScope && !isInsideRepository(statusFile)) report(rootScope.diag(['status_file'], OUTSIDE_REPOSITORY));
  if (rootScope && providers) await checkWrittenPaths(source, root, statusFile, providers, rootScope, report);

  const brokenPools = new Set<string>();
  const poolInputs: PoolInput[] = [];
  const inline = rec(root, 'pools') ?? {};
  if (rootYaml) {
    for (const [name, doc] of Object.entries(inline)) {
      if (!isRecord(doc)) continue;
      const scope = new Scope(rootYaml, ['pools', name], `/pools/${escapeSegment(name)}`);
      poolInputs.push({ name, scope, nameRef: scope.ref([], { key: true }), doc });
    }
  }
  poolInputs.push(...(await readFolder(source, 'pools', 'pool', report, brokenPools)));
  const jobInputs: JobInput[] = await readFolder(source, 'jobs', 'job', report, new Set());

  const poolCtx = { providers, defaults, report };
  const pools: PoolSpec[] = [];
  // Duplicates are still checked one by one, so each file's own problems show up in the same run.
  reportDuplicates(poolInputs, 'pool', report);
  reportDuplicates(jobInputs, 'job', report);
  for (const input of poolInputs) {
    const spec = buildPool(input, poolCtx);
    if (spec) pools.push(spec);
  }
  const poolNames = new Set([...poolInputs.map((p) => p.name), ...brokenPools]);
  const jobs: JobSpec[] = [];
  for (const input of jobInputs) {
    const spec = buildJob(input, poolNames, report);
    if (spec) jobs.push(spec);
  }

  const sorted = sortDiagnostics(diagnostics);
  if (sorted.length > 0 || !providers) return { desired: undefined, diagnostics: sorted };

  const byName = <T extends { name: string }>(a: T, b: T): number => a.name.localeCompare(b.name);
  pools.sort(byName);
  jobs.sort(byName);
  const fleet = str(root, 'fleet') ?? fleetNameFromRoot(source.root);
  const applyDoc = rec(root, 'apply') ?? {};
  const safety = rec(root, 'safety') ?? {};
  const settings = {
    maxDestroyPercent: num(safety, 'max_destroy_percent') ?? 50,
    maxNodesPerPool: int(safety, 'max_nodes_per_pool') ?? 1000,
    maxCreate: int(safety, 'max_create') ?? 200,
    orphans: root['orphans'] === 'destroy' ? ('destroy' as const) : ('report' as const),
    historyLimit: int(root, 'history_limit') ?? 20,
    applyConcurrency: int(applyDoc, 'concurrency') ?? 8,
  };
  const providerRecord = Object.fromEntries([...providers.entries()].sort(([a], [b]) => a.localeCompare(b)));
  const poolDocuments: Record<string, Record<string, unknown>> = {};
  for (const input of [...poolInputs].sort(byName)) {
    poolDocuments[input.name] = JSON.parse(JSON.stringify({ name: input.name, ...input.doc })) as Record<string, unknown>;
  }
  // Positions and the root path are left out so reformatting or moving files keeps the digest.
  const digest = digestOf({
    fleet,
    statusFile,
    providers: Object.values(providerRecord).map(({ name, type, settings: s }) => ({ name, type, settings: s })),
    pools: pools.map(({ source: _source, ...rest }) => rest),
    jobs: jobs.map(({ source: _source, ...rest }) => rest),
    settings,
  });
  const desired: DesiredFleet = {
    fleet,
    ...(str(root, 'fleet') === undefined ? { fleetFromRoot: true } : {}),
    root: source.root,
    commit: opts.commit,
    digest,
    statusFile,
    providers: providerRecord,
    pools,
    jobs,
    settings,
    poolDocuments,
  };
  const controlPlane = rec(root, 'control_plane');
  if (controlPlane) desired.controlPlane = JSON.parse(JSON.stringify(controlPlane)) as Record<string, unknown>;
  return { desired, diagnostics: [] };
}

/** Reads a repository's desired state; throws `ConfigError` carrying every diagnostic when it is invalid. */
export async function loadDesired(source: ConfigSource, opts: LoadOptions = {}): Promise<DesiredFleet> {
  const { desired, diagnostics } = await validateRepo(source, opts);
  if (!desired) throw new ConfigError(diagnostics);
  return desired;
}
