/**
 * The control plane's settings: navarch.yaml `control_plane:` (already schema-checked by config)
 * with every default filled in.
 */
import { NavarchError, parseDuration } from '../model/index.js';
import { DEFAULT_STORE_MAX_BYTES } from './store/index.js';

export interface NotifierSettings {
  type: 'noop' | 'webhook';
  url: string | undefined;
  /** Environment variable holding the webhook's bearer token. */
  tokenEnv: string | undefined;
  timeoutMs: number;
  drainStatusUrl: string | undefined;
  drainStatusField: string;
  drainTimeoutMs: number;
  pollIntervalMs: number;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface ControlPlaneSettings {
  listen: ListenAddress;
  /** URL agents use; undefined: derived from where the server listens. */
  url: string | undefined;
  intervalMs: number;
  /** Store path relative to the repository. */
  store: string;
  /** Most the store file may grow to; the oldest low-severity health data is dropped first to stay within it. */
  storeMaxBytes: number;
  heartbeatIntervalMs: number;
  healthIntervalMs: number;
  commandPollIntervalMs: number;
  readyTimeoutMs: number;
  readyGraceMs: number;
  breakerWindowMs: number;
  eventRetentionMs: number;
  bodyLimit: number;
  tls: { cert: string; key: string } | undefined;
  /** The variable holding the token `/metrics` requires (read once at start); undefined: NAVARCH_METRICS_TOKEN. */
  metricsTokenEnv: string | undefined;
  notifier: NotifierSettings;
}

export const DEFAULT_PORT = 7600;
export const DEFAULT_STORE = '.navarch/control-plane.db';

/** Parses `HOST:PORT` (`[::1]:7600` for IPv6); throws `cli.invalid` on anything else. */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new NavarchError('cli.invalid', `expected HOST:PORT to listen on (e.g. 0.0.0.0:${DEFAULT_PORT}), not "${text}"`);
  return { host: (m[1] ?? m[2]) as string, port };
}

const ms = (v: unknown, fallback: number): number => (typeof v === 'string' || typeof v === 'number' ? (parseDuration(v) ?? fallback) : fallback);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function parseControlPlane(raw: Record<string, unknown> | undefined): ControlPlaneSettings {
  const c = rec(raw);
  const n = rec(c['notifier']);
  const tls = rec(c['tls']);
  const cert = str(tls['cert']);
  const key = str(tls['key']);
  return {
    listen: parseListen(str(c['listen']) ?? `0.0.0.0:${DEFAULT_PORT}`),
    url: str(c['url']),
    intervalMs: ms(c['interval'], 60_000),
    store: str(c['store']) ?? DEFAULT_STORE,
    storeMaxBytes: typeof c['store_max_bytes'] === 'number' ? c['store_max_bytes'] : DEFAULT_STORE_MAX_BYTES,
    heartbeatIntervalMs: ms(c['heartbeat_interval'], 30_000),
    healthIntervalMs: ms(c['health_interval'], 60_000),
    commandPollIntervalMs: ms(c['command_poll_interval'], 10_000),
    readyTimeoutMs: ms(c['ready_timeout'], 15 * 60_000),
    readyGraceMs: ms(c['ready_grace'], 2 * 60_000),
    breakerWindowMs: ms(c['breaker_window'], 10 * 60_000),
    eventRetentionMs: ms(c['event_retention'], 7 * 86_400_000),
    bodyLimit: typeof c['body_limit'] === 'number' ? c['body_limit'] : 256 * 1024,
    tls: cert && key ? { cert, key } : undefined,
    metricsTokenEnv: str(c['metrics_token_env']),
    notifier: {
      type: n['type'] === 'webhook' ? 'webhook' : 'noop',
      url: str(n['url']),
      tokenEnv: str(n['token_env']),
      timeoutMs: ms(n['timeout'], 10_000),
      drainStatusUrl: str(n['drain_status_url']),
      drainStatusField: str(n['drain_status_field']) ?? 'drained',
      drainTimeoutMs: ms(n['drain_timeout'], 10 * 60_000),
      pollIntervalMs: ms(n['poll_interval'], 15_000),
    },
  };
}
