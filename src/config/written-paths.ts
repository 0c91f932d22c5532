/**
 * The files navarch writes inside the repository — the status file, each fake cloud's state file,
 * the control plane's store — must be files of their own: not the configuration navarch reads
 * (`status_file: navarch.yaml` would have apply overwrite it), not git's, not a directory, and
 * not one another's (a fake cloud sharing its file with the status loses every instance it
 * records), nor inside a file of the repository. Paths outside the repository are refused
 * elsewhere and not looked at here.
 */
import type { Diagnostic, ProviderConfig } from '../model/index.js';
import { SCHEMAS } from './schema.js';
import type { Scope } from './scope.js';
import { IS_DIRECTORY, SourceFileError, type ConfigSource } from './source.js';

/** One path navarch writes, where it is set (or would be, for a default), and what it is for. */
interface Written {
  at: string[];
  path: string;
  /** Whether the path is written in navarch.yaml (else it is the default). */
  explicit: boolean;
  kind: 'status' | 'state' | 'store';
}

type Defs = Record<string, { properties?: Record<string, { default?: unknown }> } | undefined>;

/** A default as the schema documents it (the one place it is written down for users). */
function schemaDefault(def: string, key: string): string | undefined {
  const value = (SCHEMAS.navarch['$defs'] as Defs | undefined)?.[def]?.properties?.[key]?.default;
  return typeof value === 'string' ? value : undefined;
}

/** The path relative to the repository root, `/`-separated and normalised; undefined when it leaves the root. */
function normalise(raw: string): string | undefined {
  if (raw.startsWith('/') || /^[A-Za-z]:[\\/]/.test(raw)) return undefined;
  const parts: string[] = [];
  for (const part of raw.split(/[/\\]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** Why `path` cannot be a file navarch writes, or undefined when it can. */
function reserved(raw: string, path: string): string | undefined {
  if (path === '' || raw.trim() === '' || /[/\\]$/.test(raw)) return 'expected the path of a file inside the repository, not a directory';
  const first = path.split('/')[0] ?? '';
  if (path === 'navarch.yaml') return 'navarch.yaml is the configuration itself; name a file of its own (e.g. status/fleet.yaml)';
  if (first === 'pools' || first === 'jobs') return `${first}/ holds configuration navarch reads; name a file outside pools/ and jobs/`;
  if (first === '.git') return '.git/ is git’s own directory; name a file outside it';
  if (path === '.navarch') return '.navarch is the directory navarch keeps local state in; name a file inside it or elsewhere';
  return undefined;
}

/** Why the repository's tree leaves no room for a file at `path` (a file where a directory must be, a directory where the file must be). */
async function blockedByTree(source: ConfigSource, path: string): Promise<string | undefined> {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    try {
      if ((await source.read(prefix)) !== undefined) return `${prefix} is a file in the repository, so nothing can be written inside it`;
    } catch (err) {
      // A directory is what a path inside it needs; anything else there (a pipe, a link out) blocks it.
      if (!(err instanceof SourceFileError)) throw err;
      if (err.reason !== IS_DIRECTORY) return `${prefix} ${err.reason}, so nothing can be written inside it`;
    }
  }
  if ((await source.list(path)).length > 0) return `${path} is a directory in the repository; name a file`;
  return undefined;
}

const LABEL: Record<Written['kind'], string> = { status: 'the status file', state: 'a fake cloud’s state file', store: 'the control plane’s store' };

/** Reports every written path that is a config file, a directory or another written path. */
export async function checkWrittenPaths(
  source: ConfigSource,
  root: Record<string, unknown>,
  statusFile: string,
  providers: ReadonlyMap<string, ProviderConfig>,
  scope: Scope,
  report: (d: Diagnostic) => void,
): Promise<void> {
  const written: Written[] = [{ at: ['status_file'], path: statusFile, explicit: typeof root['status_file'] === 'string', kind: 'status' }];
  const stateDefault = schemaDefault('fakeProvider', 'state_file');
  for (const [name, provider] of providers) {
    if (provider.type !== 'fake') continue;
    const raw = provider.settings['state_file'];
    const path = typeof raw === 'string' ? raw : stateDefault;
    if (path !== undefined) written.push({ at: ['providers', name, 'state_file'], path, explicit: typeof raw === 'string', kind: 'state' });
  }
  const controlPlane = root['control_plane'];
  const store = controlPlane !== null && typeof controlPlane === 'object' ? (controlPlane as Record<string, unknown>)['store'] : undefined;
  const storePath = typeof store === 'string' ? store : schemaDefault('controlPlane', 'store');
  if (storePath !== undefined) written.push({ at: ['control_plane', 'store'], path: storePath, explicit: typeof store === 'string', kind: 'store' });

  const seen: Array<Written & { normal: string }> = [];
  const name = (w: Written): string => `\`${w.at.join('.')}\` (${w.explicit ? '' : 'default '}${JSON.stringify(w.path)})`;
  for (const w of written) {
    const normal = normalise(w.path);
    if (normal === undefined) continue;
    const why = (w.explicit ? reserved(w.path, normal) : undefined) ?? (await blockedByTree(source, normal));
    if (why) {
      report(scope.diag(w.at, `${name(w)}: ${why}`));
      continue;
    }
    // Fake providers may share one state file on purpose; anything else needs a file of its own.
    const clash = seen.find((s) => !(s.kind === 'state' && w.kind === 'state') && (s.normal === normal || normal.startsWith(`${s.normal}/`) || s.normal.startsWith(`${normal}/`)));
    if (clash) {
      // Said where the user wrote a path: a default has no line of its own.
      const [here, there] = w.explicit || !clash.explicit ? [w, clash] : [clash, w];
      const relation = clash.normal === normal ? 'names the same file as' : 'and';
      const tail = clash.normal === normal ? '' : ' are a file and a path inside it';
      report(scope.diag(here.at, `${name(here)} ${relation} ${name(there)}${tail}: ${LABEL[here.kind]} and ${LABEL[there.kind]} each need a file of their own`));
      continue;
    }
    seen.push({ ...w, normal });
  }
}
