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
import { wellKnownCredentialsFile } from './credential-source.js';
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
   * Sets the clients up (finding credentials, making a first token); call before any API call.
   * Whatever fails here is about credentials or reaching Google. The client library
   * rethrows a failed setup from inside every later call as an unhandled rejection, so calls are
   * only made once setup has succeeded; a failed setup is forgotten so the next call tries again.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Registers `value` and, for a PEM key, each of its lines, so no fragment of it slips through either. */
function registerKeyMaterial(value: string): void {
  registerSecret(value);
  for (const line of value.split(/\r?\n|\\n/)) if (!line.startsWith('-----')) registerSecret(line.trim());
}

/**
 * Registers every secret a credentials file holds. The file is read as text too, so the key is
 * registered even when the file is not valid JSON (a parse error may quote the text around the fault).
 */
export function registerCredentialFileSecrets(file: string | undefined): void {
  if (!file) return;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // Unreadable: the auth library reports it when it tries, as an auth failure.
    return;
  }
  const secretField = /"(private_key|private_key_id|client_secret|refresh_token)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(secretField)) if (m[2]) registerKeyMaterial(m[2]);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return;
    for (const key of ['private_key', 'private_key_id', 'client_secret', 'refresh_token']) {
      const value = (parsed as Record<string, unknown>)[key];
      if (typeof value === 'string') registerKeyMaterial(value);
    }
  } catch {
    // Not JSON: what the text scan found is all there is to register.
  }
}

/** Builds the clients for `settings`, with credentials found through `env`. */
export function createComputeClients(settings: GcpSettings, env: Readonly<Record<string, string | undefined>>): ComputeClients {
  const keyFilename = env['GOOGLE_APPLICATION_CREDENTIALS'] || undefined;
  registerCredentialFileSecrets(keyFilename ?? wellKnownCredentialsFile(env));
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
      } catch (err) {
        delete instances.instancesStub;
        delete operations.zoneOperationsStub;
        throw err;
      }
      // Signing (or fetching) the first token up front makes a broken key fail here, where any
      // failure is known to be about credentials, rather than in the middle of an API call.
      await instances.auth.getRequestHeaders();
      isReady = true;
    },
    async close() {
      await Promise.all([instances.close(), operations.close()]);
    },
  };
}
