/**
 * Lambda Cloud settings as written under `providers.<name>` in navarch.yaml (snake_case). The schema
 * has checked them already; parsing refuses what it cannot use so hand-written settings in a test
 * fail loudly. Missing `ssh_key_names` is not refused here: listing and terminating work without
 * it, and provisioning says exactly what is missing.
 */
import path from 'node:path';
import { NavarchError, parseDuration } from '../../model/index.js';

/** The public API, as documented at cloud.lambda.ai/api/v1. */
export const DEFAULT_ENDPOINT = 'https://cloud.lambda.ai/api/v1';
/** Lambda asks for about one request per second overall. */
export const DEFAULT_REQUEST_INTERVAL_MS = 1_000;
/** Launch requests are limited further, to about one per 12 seconds (five per minute). */
export const DEFAULT_LAUNCH_INTERVAL_MS = 12_000;
/** The environment variable the API key is read from when `api_key_file` is not given. */
export const API_KEY_ENV = 'LAMBDA_API_KEY';

/** Parsed settings of a `type: lambda` provider. */
export interface LambdaSettings {
  /** Base URL without a trailing slash. */
  endpoint: string;
  /** Regions this provider may launch in and report offers for; empty means any. */
  regions: string[];
  sshKeyNames: string[];
  fileSystemNames: string[];
  /** Absolute path of a file holding the API key, when the key does not come from the environment. */
  apiKeyFile: string | undefined;
  requestIntervalMs: number;
  launchIntervalMs: number;
}

function bad(field: string, expected: string, got: unknown): NavarchError {
  return new NavarchError('provider.settings', `lambda setting "${field}" must be ${expected} (got ${JSON.stringify(got)})`, {
    details: { field },
  });
}

function stringList(settings: Record<string, unknown>, field: string): string[] {
  const raw = settings[field];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || !raw.every((v): v is string => typeof v === 'string' && v.trim() !== '')) {
    throw bad(field, 'a list of non-empty strings', raw);
  }
  return [...new Set(raw)];
}

function duration(settings: Record<string, unknown>, field: string, fallback: number): number {
  const raw = settings[field];
  if (raw === undefined) return fallback;
  const ms = typeof raw === 'string' || typeof raw === 'number' ? parseDuration(raw) : undefined;
  if (ms === undefined) throw bad(field, 'a duration such as 1s or 12s', raw);
  return ms;
}

function endpoint(raw: unknown): string {
  if (raw === undefined) return DEFAULT_ENDPOINT;
  if (typeof raw !== 'string') throw bad('endpoint', 'an http(s) URL', raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('endpoint', 'an http(s) URL', raw);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('endpoint', 'an http(s) URL', raw);
  return raw.replace(/\/+$/, '');
}

/** Parses `ProviderConfig.settings` of a `type: lambda` provider; relative paths resolve against `root`. */
export function parseLambdaSettings(root: string, settings: Record<string, unknown>): LambdaSettings {
  const keyFile = settings['api_key_file'];
  if (keyFile !== undefined && (typeof keyFile !== 'string' || keyFile.trim() === '')) throw bad('api_key_file', 'a path', keyFile);
  return {
    endpoint: endpoint(settings['endpoint']),
    regions: stringList(settings, 'regions'),
    sshKeyNames: stringList(settings, 'ssh_key_names'),
    fileSystemNames: stringList(settings, 'file_system_names'),
    apiKeyFile: typeof keyFile === 'string' ? path.resolve(root, keyFile) : undefined,
    requestIntervalMs: duration(settings, 'request_interval', DEFAULT_REQUEST_INTERVAL_MS),
    launchIntervalMs: duration(settings, 'launch_interval', DEFAULT_LAUNCH_INTERVAL_MS),
  };
}
