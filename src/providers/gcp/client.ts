/**
 * The Compute Engine clients, over the REST transport.
 *
 * Credentials are Application Default Credentials: `GOOGLE_APPLICATION_CREDENTIALS` (read from
 * the environment navarch was given), gcloud's well-known file, or the metadata server when
 * running on Google Cloud. A service-account key signs its own JWT for each request (Google's
 * self-signed JWT scheme, what its client libraries use for service accounts), so no token is
 * fetched from an OAuth endpoint.
 *
 * Secrets from the key file are registered for redaction before any call is made, so nothing
 * navarch prints or writes can carry them.
 */
import { readFileSync } from 'node:fs';
import { InstancesClient, ZoneOperationsClient } from '@google-cloud/compute';
import { registerSecret } from '../../model/index.js';
import type { GcpSettings } from './settings.js';

/** OAuth scope navarch's own calls are made with. */
export const API_SCOPES: readonly string[] = ['https://www.googleapis.com/auth/cloud-platform'];

/**
 * Per-call options: the client library's own retries are off. Retrying is apply's job (with its
 * clock and its attempt budget), and a retry hidden here would also hide throttling from it.
 * Paged calls are iterated page by page (`autoPaginate: false`, which the async iterator
 * requires; the library warns on the process otherwise). A fresh object each call, because the
 * client library writes per-call headers into it.
 */
export function callOptions(): { retry: null; autoPaginate: false } {
  return { retry: null, autoPaginate: false };
}

/** The two clients a provider uses; they share one credential. */
export interface ComputeClients {
  instances: InstancesClient;
  operations: ZoneOperationsClient;
  /**
   * Sets the clients up (finding credentials); call before any API call. The client library
   * rethrows a failed setup from inside every later call as an unhandled rejection, so calls are
   * only made once setup has succeeded; a failed setup is forgotten so the next call tries again.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Registers every secret a credentials file holds (whole, and each line of a PEM key). */
export function registerCredentialFileSecrets(file: string | undefined): void {
  if (!file) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // Unreadable or not JSON: the auth library reports it when it tries, as an auth failure.
    return;
  }
  if (typeof parsed !== 'object' || parsed === null) return;
  const record = parsed as Record<string, unknown>;
  for (const key of ['private_key', 'private_key_id', 'client_secret', 'refresh_token']) {
    const value = record[key];
    if (typeof value !== 'string') continue;
    registerSecret(value);
    // A PEM key is registered line by line too, so a fragment of it cannot slip through either.
    for (const line of value.split(/\r?\n/)) if (!line.startsWith('-----')) registerSecret(line.trim());
  }
}

/** Builds the clients for `settings`, with credentials found through `env`. */
export function createComputeClients(settings: GcpSettings, env: Readonly<Record<string, string | undefined>>): ComputeClients {
  const keyFilename = env['GOOGLE_APPLICATION_CREDENTIALS'] || undefined;
  registerCredentialFileSecrets(keyFilename);
  const { endpoint } = settings;
  const options = {
    fallback: true,
    projectId: settings.project,
    scopes: [...API_SCOPES],
    ...(keyFilename ? { keyFilename } : {}),
    ...(endpoint.custom
      ? { apiEndpoint: endpoint.host, protocol: endpoint.protocol, ...(endpoint.port !== undefined ? { port: endpoint.port } : {}) }
      : {}),
  };
  const instances = new InstancesClient(options);
  // Sign a JWT carrying the scopes instead of exchanging one at Google's token endpoint.
  (instances.auth as unknown as { useJWTAccessWithScope: boolean }).useJWTAccessWithScope = true;
  const operations = new ZoneOperationsClient({ ...options, auth: instances.auth });
  let isReady = false;
  return {
    instances,
    operations,
    async ready() {
      if (isReady) return;
      try {
        await Promise.all([instances.initialize(), operations.initialize()]);
        isReady = true;
      } catch (err) {
        delete instances.instancesStub;
        delete operations.zoneOperationsStub;
        throw err;
      }
    },
    async close() {
      await Promise.all([instances.close(), operations.close()]);
    },
  };
}
