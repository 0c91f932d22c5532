/**
 * The control plane's secrets, from the environment: the admin token operators use
 * (NAVARCH_AUTH_TOKEN, as in the seeds) and the secret every node token derives from
 * (NAVARCH_NODE_SECRET). Without them `navarch serve` does not start, unless told it runs on a
 * development machine, where well-known values stand in. Optional: NAVARCH_WEBHOOK_SECRET, what a
 * git host signs push webhooks with; NAVARCH_READ_TOKEN, a token that reads every admin route and
 * changes nothing (dashboards, the GitHub Action); and the token `/metrics` requires, from the
 * variable `control_plane.metrics_token_env` names, else NAVARCH_METRICS_TOKEN.
 */
import { NavarchError, registerSecret } from '../model/index.js';

export interface Credentials {
  adminToken: string;
  nodeSecret: string;
  /** True when a well-known development value stands in for a missing one. */
  insecure: boolean;
  /** Push webhooks signed with it are accepted; undefined: only the admin token is. */
  webhookSecret: string | undefined;
  /** Reads every admin route, changes nothing; undefined: reads take the admin token only. */
  readToken: string | undefined;
}

/** Where the metrics token is read from when `control_plane.metrics_token_env` names no other variable. */
export const METRICS_TOKEN_ENV = 'NAVARCH_METRICS_TOKEN';

export const INSECURE_ADMIN_TOKEN = 'navarch-insecure-dev-admin-token';
export const INSECURE_NODE_SECRET = 'navarch-insecure-dev-node-secret';
const MIN_LENGTH = 16;

export function serverCredentials(env: Readonly<Record<string, string | undefined>>, options: { insecureDev: boolean }): Credentials {
  const admin = env['NAVARCH_AUTH_TOKEN'] || undefined;
  const secret = env['NAVARCH_NODE_SECRET'] || undefined;
  const webhookSecret = env['NAVARCH_WEBHOOK_SECRET'] || undefined;
  const readToken = env['NAVARCH_READ_TOKEN'] || undefined;
  if ((!admin || !secret) && !options.insecureDev) {
    const missing = [admin ? '' : 'NAVARCH_AUTH_TOKEN (the admin token)', secret ? '' : 'NAVARCH_NODE_SECRET (the secret node tokens derive from)'].filter(Boolean);
    throw new NavarchError(
      'serve.unauthenticated',
      `set ${missing.join(' and ')} in the environment, e.g. \`export NAVARCH_NODE_SECRET=$(openssl rand -base64 32)\`; ` +
        'or pass --insecure-dev on a development machine to use well-known values instead',
    );
  }
  const named: ReadonlyArray<readonly [string, string | undefined]> = [
    ['NAVARCH_AUTH_TOKEN', admin],
    ['NAVARCH_NODE_SECRET', secret],
    ['NAVARCH_WEBHOOK_SECRET', webhookSecret],
    ['NAVARCH_READ_TOKEN', readToken],
  ];
  for (const [name, value] of named) checkLength(name, value);
  // The read-only token must not be the admin token, or holding it would change things after all.
  if (readToken !== undefined && readToken === admin) {
    throw new NavarchError('serve.weak-secret', 'NAVARCH_READ_TOKEN is the same as NAVARCH_AUTH_TOKEN; give the read-only token its own value');
  }
  for (const [, value] of named) registerSecret(value);
  return { adminToken: admin ?? INSECURE_ADMIN_TOKEN, nodeSecret: secret ?? INSECURE_NODE_SECRET, insecure: !admin || !secret, webhookSecret, readToken };
}

function checkLength(name: string, value: string | undefined): void {
  if (value !== undefined && value.length < MIN_LENGTH) {
    throw new NavarchError('serve.weak-secret', `${name} is ${value.length} characters long; use at least ${MIN_LENGTH} (e.g. \`openssl rand -base64 32\`)`);
  }
}

/**
 * The token `/metrics` requires, from the variable `control_plane.metrics_token_env` names (read
 * once at start), else NAVARCH_METRICS_TOKEN; undefined: `/metrics` stays open.
 */
export function metricsToken(env: Readonly<Record<string, string | undefined>>, tokenEnv: string | undefined): string | undefined {
  const token = env[tokenEnv ?? METRICS_TOKEN_ENV] || undefined;
  // A variable navarch.yaml names that is not set is a mistake: /metrics would be open when it was meant to be closed.
  if (tokenEnv !== undefined && token === undefined) {
    throw new NavarchError('serve.unauthenticated', `control_plane.metrics_token_env names ${tokenEnv}, which is not set`);
  }
  checkLength(tokenEnv ?? METRICS_TOKEN_ENV, token);
  registerSecret(token);
  return token;
}
