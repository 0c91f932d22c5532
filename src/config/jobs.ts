/** Jobs (`jobs/<name>.yaml`): validated, normalised, not scheduled by the core loop. */
import { knownGpus } from '../catalog/index.js';
import type { Diagnostic, JobSpec, SourceRef } from '../model/index.js';
import { bool, int, num, str, strList, strMap } from './read.js';
import type { Scope } from './scope.js';
import { didYouMean, quoteList } from './suggest.js';

/** A job as found in the repository, before checks. */
export interface JobInput {
  name: string;
  scope: Scope;
  nameRef: SourceRef;
  doc: Record<string, unknown>;
}

/**
 * Checks a job against the catalog and the pools, and builds its `JobSpec`. `poolNames` holds
 * every pool the repository declares, including ones with errors, so a broken pool file does not
 * also make every job that uses it fail.
 */
export function buildJob(input: JobInput, poolNames: ReadonlySet<string>, report: (d: Diagnostic) => void): JobSpec | undefined {
  const { doc, scope } = input;
  const rawGpu = str(doc, 'gpu');
  const gpu = rawGpu?.toLowerCase();
  if (gpu !== undefined && !knownGpus().includes(gpu)) {
    const known = knownGpus();
    report(scope.diag(['gpu'], `unknown GPU \`${rawGpu ?? ''}\`${didYouMean(gpu, known) || ` (known: ${quoteList(known)})`}`));
  }
  const pool = str(doc, 'pool');
  if (pool !== undefined && !poolNames.has(pool)) {
    const names = [...poolNames].sort();
    const hint = didYouMean(pool, names) || (names.length ? ` (pools: ${quoteList(names)})` : '; the repository declares no pools');
    report(scope.diag(['pool'], `unknown pool \`${pool}\`${hint}`));
  }
  const run = str(doc, 'run');
  if (gpu === undefined || run === undefined) return undefined;
  return {
    name: input.name,
    source: input.nameRef,
    gpu,
    gpus: int(doc, 'gpus') ?? 1,
    nodes: int(doc, 'nodes') ?? 1,
    spot: bool(doc, 'spot') ?? false,
    maxPrice: num(doc, 'max_price'),
    image: str(doc, 'image'),
    env: strMap(doc, 'env'),
    workdir: str(doc, 'workdir'),
    mounts: strList(doc, 'mounts') ?? [],
    setup: str(doc, 'setup'),
    run,
    pool,
  };
}
