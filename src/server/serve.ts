/**
 * Starting and stopping a whole control plane: settings, store (locked to this process), the
 * reconcile loop and the HTTP server. `navarch serve` is this plus printing. The configuration
 * comes from a directory, or from a git repository (a ConfigTarget) that each reconcile fetches,
 * applies under the fleet lock, and commits the status back to.
 */
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { directoryTarget, readTarget, type PassLockOptions } from '../engine/index.js';
import type { ConfigTarget, GitAuthor } from '../git/index.js';
import type { Logger } from '../log/index.js';
import { NavarchError, type Clock } from '../model/index.js';
import { buildServer } from './app.js';
import { KnownTokens } from './auth.js';
import { ControlPlane, type ControlPlaneEvent } from './control-plane.js';
import { metricsToken, serverCredentials, type Credentials } from './credentials.js';
import { Metrics } from './metrics.js';
import { parseControlPlane, type ControlPlaneSettings, type ListenAddress } from './settings.js';
import { lockStore, SqliteStore } from './store/index.js';
import { nodeUserData } from './user-data.js';

export interface ServeOptions {
  /** The config repository's directory, where the status file and local state (the store) live; with `target`, local state only. */
  dir: string;
  /** Where the configuration comes from and the status goes when not `dir` itself (a remote repository). */
  target?: ConfigTarget | undefined;
  /** Relative TLS paths of `control_plane:` are resolved from here (default `dir`). */
  filesDir?: string | undefined;
  /** Author of status commits (git). */
  author?: GitAuthor | undefined;
  lock?: PassLockOptions | undefined;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  logger: Logger;
  listen?: ListenAddress | undefined;
  url?: string | undefined;
  tls?: { cert: string; key: string } | undefined;
  store?: string | undefined;
  intervalMs?: number | undefined;
  allowDestroy?: boolean;
  allowLarge?: boolean;
  insecureDev?: boolean;
  onEvent?: (e: ControlPlaneEvent) => void;
}

export interface RunningServer {
  /** Where the API listens (the real port when 0 was asked for). */
  address: string;
  /** What new nodes are told to call. */
  agentUrl: string;
  /** Where the configuration comes from (a directory, or a repository URL without credentials). */
  config: string;
  /** The store's file. */
  storePath: string;
  settings: ControlPlaneSettings;
  credentials: Credentials;
  controlPlane: ControlPlane;
  /** Stops the loop (waits in flight give up), then the server, then closes the store. */
  close(): Promise<void>;
}

const within = (dir: string, path: string): string => (isAbsolute(path) ? path : join(dir, path));

export async function startServe(opts: ServeOptions): Promise<RunningServer> {
  const credentials = serverCredentials(opts.env, { insecureDev: opts.insecureDev ?? false });
  const target = opts.target ?? directoryTarget(opts.dir);
  // The listening address, store and TLS come from the configuration, so it is read once before anything starts.
  const { desired } = await readTarget(target);
  const fromConfig = parseControlPlane(desired.controlPlane);
  const insecureListen = credentials.insecure && !desired.controlPlane?.['listen'] ? { host: '127.0.0.1', port: fromConfig.listen.port } : fromConfig.listen;
  const settings: ControlPlaneSettings = {
    ...fromConfig,
    listen: opts.listen ?? insecureListen,
    url: opts.url ?? fromConfig.url,
    tls: opts.tls ?? fromConfig.tls,
    store: opts.store ?? fromConfig.store,
    intervalMs: opts.intervalMs ?? fromConfig.intervalMs,
  };
  const scrapeToken = metricsToken(opts.env, settings.metricsTokenEnv);
  let https: { cert: Buffer; key: Buffer } | undefined;
  if (settings.tls) {
    try {
      const from = opts.filesDir ?? opts.dir;
      https = { cert: await readFile(within(from, settings.tls.cert)), key: await readFile(within(from, settings.tls.key)) };
    } catch (err) {
      throw new NavarchError('serve.tls', `cannot read the TLS certificate or key: ${(err as Error).message}`, { cause: err });
    }
  }

  const storePath = within(opts.dir, settings.store);
  const release = lockStore(`${storePath}.owner`);
  let store: SqliteStore;
  try {
    // SQLite's WebAssembly VFS locks with a `<db>.lock` directory, which a killed process leaves
    // behind. Holding the owner lock, this process knows no one else is writing: clear it.
    rmSync(`${storePath}.lock`, { recursive: true, force: true });
    store = SqliteStore.open(storePath);
  } catch (err) {
    release();
    throw err;
  }
  const known = new KnownTokens(credentials.nodeSecret);
  for (const n of await store.listNodes()) known.add(n.id);

  const startedAt = opts.clock.now();
  let agentUrl = settings.url ?? '';
  const controlPlane = new ControlPlane({
    target,
    ...(opts.author ? { author: opts.author } : {}),
    ...(opts.lock ? { lock: opts.lock } : {}),
    clock: opts.clock,
    logger: opts.logger,
    env: opts.env,
    store,
    settings,
    allowDestroy: opts.allowDestroy ?? false,
    allowLarge: opts.allowLarge ?? false,
    startedAt,
    known: (id) => known.add(id),
    // agentUrl is known once the server listens, before the first reconcile provisions anything.
    userData: (node, pool, placement) => nodeUserData({ serverUrl: agentUrl, nodeSecret: credentials.nodeSecret })(node, pool, placement),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    // The process's own metrics (memory, event loop, file descriptors) come with the real server only.
    metrics: new Metrics({ processMetrics: true }),
  });
  const app = buildServer({
    nodes: controlPlane.nodes,
    store,
    metrics: controlPlane.metrics,
    auth: {
      adminToken: credentials.adminToken,
      nodeSecret: credentials.nodeSecret,
      known,
      webhookSecret: credentials.webhookSecret,
      readToken: credentials.readToken,
      metricsToken: scrapeToken,
    },
    logger: opts.logger,
    bodyLimit: settings.bodyLimit,
    https,
    control: controlPlane,
    clock: opts.clock,
  });
  let address: string;
  try {
    address = await app.listen({ host: settings.listen.host, port: settings.listen.port });
  } catch (err) {
    await store.close();
    release();
    throw new NavarchError('serve.listen', `cannot listen on ${settings.listen.host}:${settings.listen.port}: ${(err as Error).message}`, { cause: err });
  }
  if (!agentUrl) {
    const u = new URL(address);
    if (settings.listen.host === '0.0.0.0' || settings.listen.host === '::') u.hostname = hostname();
    agentUrl = u.origin;
  }

  const stop = new AbortController();
  const loop = controlPlane.run(stop.signal);
  let closing: Promise<void> | undefined;
  return {
    address,
    agentUrl,
    config: target.label,
    storePath,
    settings,
    credentials,
    controlPlane,
    close: () =>
      (closing ??= (async () => {
        stop.abort();
        await loop;
        await app.close();
        await store.close();
        release();
      })()),
  };
}
