/**
 * The control plane's secrets, from the environment: the admin token operators use
 * (NAVARCH_AUTH_TOKEN, as in the seeds) and the secret every node token derives from
 * (NAVARCH_NODE_SECRET). Without them `navarch serve` does not start, unless told it runs on a
 * development machine, where well-known values stand in. NAVARCH_WEBHOOK_SECRET, optional, is what
 * a git host signs push webhooks with.
 */
import { NavarchError, registerSecret } from '../model/index.js';

export interface Credentials {
  adminToken: string;
  nodeSecret: string;
  /** True when a well-known development value stands in for a missing one. */
  insecure: boolean;
  /** Push webhooks signed with it are accepted; undefined: only the admin token is. */
  webhookSecret: string | undefined;
}

export const INSECURE_ADMIN_TOKEN = 'navarch-insecure-dev-admin-token';
export const INSECURE_NODE_SECRET = 'navarch-insecure-dev-node-secret';
const MIN_LENGTH = 16;

export function serverCredentials(env: Readonly<Record<string, string | undefined>>, options: { insecureDev: boolean }): Credentials {
  const admin = env['NAVARCH_AUTH_TOKEN'] || undefined;
  const secret = env['NAVARCH_NODE_SECRET'] || undefined;
  const webhookSecret = env['NAVARCH_WEBHOOK_SECRET'] || undefined;
  if ((!admin || !secret) && !options.insecureDev) {
    const missing = [admin ? '' : 'NAVARCH_AUTH_TOKEN (the admin token)', secret ? '' : 'NAVARCH_NODE_SECRET (the secret node tokens derive from)'].filter(Boolean);
    throw new NavarchError(
      'serve.unauthenticated',
      `set ${missing.join(' and ')} in the environment, e.g. \`export NAVARCH_NODE_SECRET=$(openssl rand -base64 32)\`; ` +
        'or pass --insecure-dev on a development machine to use well-known values instead',
    );
  }
  for (const [name, value] of [['NAVARCH_AUTH_TOKEN', admin], ['NAVARCH_NODE_SECRET', secret], ['NAVARCH_WEBHOOK_SECRET', webhookSecret]] as const) {
    if (value !== undefined && value.length < MIN_LENGTH) {
      throw new NavarchError('serve.weak-secret', `${name} is ${value.length} characters long; use at least ${MIN_LENGTH} (e.g. \`openssl rand -base64 32\`)`);
    }
  }
  registerSecret(admin);
  registerSecret(secret);
  registerSecret(webhookSecret);
  return { adminToken: admin ?? INSECURE_ADMIN_TOKEN, nodeSecret: secret ?? INSECURE_NODE_SECRET, insecure: !admin || !secret, webhookSecret };
}
