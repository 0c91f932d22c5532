/**
 * What a new node runs at first boot: its identity and token for the agent, then the agent. One
 * place, so the agent's own bootstrap (cloud-init with installation) can replace it wholesale.
 */
import { registerSecret } from '../model/index.js';
import { nodeToken } from './auth.js';

export interface UserDataOptions {
  /** URL agents reach the control plane at. */
  serverUrl: string;
  nodeSecret: string;
}

/** A builder for apply's `userData(node, pool)`: a POSIX shell script. */
export function agentUserData(opts: UserDataOptions): (node: string, pool: string) => string {
  return (node, pool) => {
    const token = nodeToken(opts.nodeSecret, node);
    registerSecret(token);
    // Values are quoted for the shell; node and pool names are [a-z0-9-] and the URL is validated config.
    return [
      '#!/bin/sh',
      `# navarch: start the node agent of ${node} (pool ${pool}).`,
      'set -eu',
      'umask 077',
      'mkdir -p /etc/navarch',
      "cat > /etc/navarch/agent.env <<'NAVARCH_ENV'",
      `NAVARCH_SERVER=${opts.serverUrl}`,
      `NAVARCH_NODE_ID=${node}`,
      `NAVARCH_NODE_TOKEN=${token}`,
      `NAVARCH_POOL=${pool}`,
      'NAVARCH_ENV',
      'set -a',
      '. /etc/navarch/agent.env',
      'set +a',
      'if command -v systemctl >/dev/null 2>&1 && systemctl cat navarch-agent.service >/dev/null 2>&1; then',
      '  systemctl enable --now navarch-agent.service',
      'else',
      '  nohup navarch-agent >>/var/log/navarch-agent.log 2>&1 &',
      'fi',
      '',
    ].join('\n');
  };
}
