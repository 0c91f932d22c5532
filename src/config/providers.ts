/** Providers declared in navarch.yaml: normalisation and the rule that secrets never live there. */
import type { Diagnostic, ProviderConfig, ProviderType } from '../model/index.js';
import { isInsideRepository, OUTSIDE_REPOSITORY } from './paths.js';
import { isRecord } from './read.js';
import type { Scope } from './scope.js';

const PROVIDER_TYPES: readonly ProviderType[] = ['fake', 'aws', 'gcp', 'lambda'];

/** Keys that name credentials. navarch.yaml is committed to git, so such keys are always refused. */
const SECRET_KEY = /api[_-]?key|secret|token|passw(?:or)?d|credential|private[_-]?key|access[_-]?key/i;

/** Maps under a provider whose keys are data (tag names, instance types, zones), not settings. */
const DATA_MAPS = new Set(['tags', 'capacity', 'subnets']);

const CREDENTIAL_HINT: Record<ProviderType, string> = {
  aws: 'AWS credentials come from the AWS credential chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role',
  gcp: 'GCP credentials come from GOOGLE_APPLICATION_CREDENTIALS (a service-account key file) or application default credentials',
  lambda: 'set LAMBDA_API_KEY in the environment instead, or name a file holding the key with api_key_file',
  fake: 'the fake cloud needs no credentials',
};

export function isProviderType(value: unknown): value is ProviderType {
  return typeof value === 'string' && (PROVIDER_TYPES as readonly string[]).includes(value);
}

/** Keys that name a file holding a secret (`api_key_file`): a path is safe to commit, the file is not. */
const SECRET_FILE_KEY = /_file$/i;

/** Whether a key under a provider names a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !SECRET_FILE_KEY.test(key);
}

/** Paths (below the provider) of every secret-looking key in a provider's settings. */
function secretPaths(value: unknown, at: string[] = []): string[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, [...at, String(i)]));
  if (!isRecord(value)) return [];
  const out: string[][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (isSecretKey(k)) out.push([...at, k]);
    else if (!DATA_MAPS.has(k)) out.push(...secretPaths(v, [...at, k]));
  }
  return out;
}

/** Whether `segments` (from the document root) is a secret key inside a provider's settings. */
export function isProviderSecretPath(segments: readonly string[]): boolean {
  if (segments.length < 3 || segments[0] !== 'providers') return false;
  const below = segments.slice(2);
  const last = below[below.length - 1] ?? '';
  return isSecretKey(last) && !below.slice(0, -1).some((s) => DATA_MAPS.has(s));
}

/**
 * Reads `providers:` of navarch.yaml. Providers with a missing or unknown type are left out (the
 * schema reports them); secret-looking keys are reported here with where the secret belongs.
 */
export function readProviders(value: unknown, scope: Scope, report: (d: Diagnostic) => void): Map<string, ProviderConfig> {
  const out = new Map<string, ProviderConfig>();
  if (!isRecord(value)) return out;
  for (const [name, raw] of Object.entries(value)) {
    if (!isRecord(raw)) continue;
    const type = raw['type'];
    for (const path of secretPaths(raw)) {
      const key = path[path.length - 1] ?? '';
      const hint = isProviderType(type) ? CREDENTIAL_HINT[type] : 'credentials come from the environment';
      report(
        scope.diag(['providers', name, ...path], `\`${key}\` looks like a secret, and secrets are never read from navarch.yaml (it is committed to git); ${hint}`, { key: true }),
      );
    }
    if (!isProviderType(type)) continue;
    // The fake cloud writes its state there: like the status file, it stays inside the repository.
    const stateFile = raw['state_file'];
    if (type === 'fake' && typeof stateFile === 'string' && !isInsideRepository(stateFile)) {
      report(scope.diag(['providers', name, 'state_file'], OUTSIDE_REPOSITORY));
    }
    const settings: Record<string, unknown> = { ...raw };
    delete settings['type'];
    out.set(name, { name, type, settings, source: scope.ref(['providers', name], { key: true }) });
  }
  return out;
}
