/**
 * One EC2 client per region. Credentials come from the standard AWS chain; whatever the chain
 * returns is registered as a secret before the first request is signed, so it can never surface
 * in an error, log line, plan or status file.
 */
import { EC2Client, type RuntimeExtension } from '@aws-sdk/client-ec2';
import { registerSecret } from '../../model/index.js';
import { endpointFor, type AwsSettings } from './settings.js';

/** Socket timeouts (ms): a hung connection becomes a transient error apply can retry. */
const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function registerCredentials(c: Credentials): void {
  registerSecret(c.accessKeyId);
  registerSecret(c.secretAccessKey);
  registerSecret(c.sessionToken);
}

/**
 * Wraps whatever credentials the client resolved (explicit ones, or the default chain: environment,
 * shared config/SSO profile, web identity, container or instance role) so they are registered as
 * secrets as soon as they are loaded, whichever source they came from.
 */
const registerResolvedCredentials: RuntimeExtension = {
  configure(config) {
    const current = config.credentials();
    if (current === undefined) return;
    if (typeof current !== 'function') {
      registerCredentials(current);
      return;
    }
    config.setCredentials(async (options) => {
      const resolved = await current(options);
      registerCredentials(resolved);
      return resolved;
    });
  },
};

/** Explicit credentials from the environment navarch was given, when it holds a key pair. */
function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): Credentials | undefined {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** Builds EC2 clients lazily, one per region, and closes them together. */
export class Ec2Clients {
  private readonly clients = new Map<string, EC2Client>();

  constructor(
    private readonly settings: AwsSettings,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {
    const explicit = credentialsFromEnv(env);
    if (explicit) registerCredentials(explicit);
  }

  /** The client for `region`. */
  get(region: string): EC2Client {
    let client = this.clients.get(region);
    if (!client) {
      client = this.create(region);
      this.clients.set(region, client);
    }
    return client;
  }

  /** Releases every client's sockets. */
  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private create(region: string): EC2Client {
    const credentials = credentialsFromEnv(this.env);
    const profile = this.env['AWS_PROFILE'];
    const endpoint = endpointFor(this.settings, region);
    return new EC2Client({
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : profile ? { profile } : {}),
      // apply owns retries: it backs off on an injected clock and moves to another placement on
      // capacity errors. SDK retries would multiply its attempts and sleep on the real clock.
      maxAttempts: 1,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
      extensions: [registerResolvedCredentials],
    });
  }
}

/** Per-call options carrying the caller's abort signal, when there is one. */
export function callOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}
