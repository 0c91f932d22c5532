/**
 * The cloud-init user data (a bash script) a provider hands to a new instance so it runs the
 * agent: Node.js 20+ when missing (NodeSource), `npm install -g navarch-agent@<version>` from the
 * npm registry (the agent's own package, a few MB, rather than the whole CLI and its cloud SDKs),
 * the node token in a root-only file, settings in a root-only environment file, and the systemd
 * unit, enabled and started.
 *
 * The token appears once, inside a quoted here-document written with umask 077; it is never echoed,
 * never on a command line, never in the unit (which is world-readable). Note that the user data
 * itself stays readable from inside the instance through the metadata service: block the metadata
 * service for non-root users, or give nodes short-lived tokens.
 */
import { nodeIdProblem } from '../../src/model/index.js';
import { assertOneLine, envFileQuote, shQuote } from './quote.js';
import { ENV_FILE, systemdUnit, TOKEN_FILE, UNIT_NAME } from './systemd.js';

export interface AgentUserDataOptions {
  /** Control plane URL the agent reports to. */
  server: string;
  /** The navarch node name (e.g. `train-3`). */
  nodeId: string;
  /** The node's token. */
  token: string;
  /** navarch-agent version to install from the registry (e.g. `0.1.0`); navarch's own, as both share one. */
  version: string;
  /** npm registry URL; the public registry by default. */
  registry?: string;
  pool?: string;
  /** GPUs the instance type has: the boot check fails on another count. */
  expectGpus?: number;
  /** Extra `navarch-agent run` arguments. */
  args?: string[];
  /** Install Node.js from NodeSource when it is missing or older than 20 (default true). */
  installNode?: boolean;
}

const HEREDOC_TOKEN = 'NAVARCH_TOKEN_EOF';
const HEREDOC_ENV = 'NAVARCH_ENV_EOF';
const HEREDOC_UNIT = 'NAVARCH_UNIT_EOF';

function check(o: AgentUserDataOptions): void {
  for (const [k, v] of Object.entries({ server: o.server, nodeId: o.nodeId, token: o.token, version: o.version, registry: o.registry ?? '', pool: o.pool ?? '' })) {
    assertOneLine(k, v);
  }
  if (!/^https?:\/\/\S+$/.test(o.server)) throw new Error(`server must be an http(s) URL, got '${o.server}'`);
  const badId = nodeIdProblem(o.nodeId);
  if (badId) throw new Error(`nodeId: ${badId}`);
  if (o.pool !== undefined && !/^[A-Za-z0-9._-]+$/.test(o.pool)) throw new Error(`pool must be a pool name (letters, digits, . _ -), got '${o.pool}'`);
  if (!/^[0-9A-Za-z.+-]+$/.test(o.version)) throw new Error(`version must be an npm version or tag, got '${o.version}'`);
  if (o.token.trim() === '' || o.token.includes(HEREDOC_TOKEN)) throw new Error('token is empty or unusable');
  if (o.registry !== undefined && !/^https?:\/\/\S+$/.test(o.registry)) throw new Error(`registry must be an http(s) URL, got '${o.registry}'`);
  if (o.expectGpus !== undefined && (!Number.isInteger(o.expectGpus) || o.expectGpus < 0)) throw new Error('expectGpus must be a whole number');
}

/** The user-data script. Throws when a value cannot be placed safely. */
export function agentUserData(o: AgentUserDataOptions): string {
  check(o);
  const env = [
    `NAVARCH_SERVER=${envFileQuote('server', o.server)}`,
    `NAVARCH_NODE_ID=${envFileQuote('nodeId', o.nodeId)}`,
    `NAVARCH_NODE_TOKEN_FILE=${TOKEN_FILE}`,
    ...(o.pool ? [`NAVARCH_POOL=${envFileQuote('pool', o.pool)}`] : []),
    ...(o.expectGpus !== undefined ? [`NAVARCH_EXPECT_GPUS=${o.expectGpus}`] : []),
  ];
  const unit = systemdUnit({ binary: '@NAVARCH_AGENT_BIN@', ...(o.args ? { args: o.args } : {}) });
  const registry = o.registry ?? 'https://registry.npmjs.org/';
  const lines = [
    '#!/bin/bash',
    '# navarch: install and start the node agent (cloud-init user data).',
    'set -euo pipefail',
    '# Everything written from here on is readable by root only.',
    'umask 077',
    // NAVARCH_ROOT is empty on a real machine; tests point it at a scratch directory.
    'ROOT="${NAVARCH_ROOT:-}"',
    `NAVARCH_VERSION=${shQuote(o.version)}`,
    `NAVARCH_REGISTRY=${shQuote(registry)}`,
    '',
    'install -d -m 0700 "$ROOT/etc/navarch"',
    `cat > "$ROOT${TOKEN_FILE}" <<'${HEREDOC_TOKEN}'`,
    o.token,
    HEREDOC_TOKEN,
    `chmod 0600 "$ROOT${TOKEN_FILE}"`,
    `cat > "$ROOT${ENV_FILE}" <<'${HEREDOC_ENV}'`,
    ...env,
    HEREDOC_ENV,
    `chmod 0600 "$ROOT${ENV_FILE}"`,
    '',
  ];
  if (o.installNode !== false) {
    lines.push(
      '# Node.js 20 or later, from NodeSource when the image has none.',
      'node_major() { node -p \'process.versions.node.split(".")[0]\' 2>/dev/null || echo 0; }',
      'if ! command -v node >/dev/null 2>&1 || [ "$(node_major)" -lt 20 ]; then',
      '  if command -v apt-get >/dev/null 2>&1; then',
      '    curl -fsSL https://deb.nodesource.com/setup_22.x | bash -',
      '    DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs',
      '  elif command -v dnf >/dev/null 2>&1; then',
      '    curl -fsSL https://rpm.nodesource.com/setup_22.x | bash -',
      '    dnf install -y nodejs',
      '  else',
      '    echo "navarch: Node.js 20 or later is required and no package manager was found" >&2',
      '    exit 1',
      '  fi',
      'fi',
      '',
    );
  }
  lines.push(
    // An image may carry the agent already (baked in, or the whole navarch CLI, whose navarch-agent
    // runs the same bundle and whose bin npm would refuse to overwrite): that version is kept.
    '# The agent, from the npm registry, unless this very version is installed already.',
    '# umask 022 so the installed files are readable by all.',
    'if [ "$(navarch-agent --version 2>/dev/null || true)" != "$NAVARCH_VERSION" ]; then',
    '  (umask 022 && npm install -g --no-fund --no-audit --registry "$NAVARCH_REGISTRY" "navarch-agent@$NAVARCH_VERSION")',
    'fi',
    'NAVARCH_AGENT_BIN="$(command -v navarch-agent)"',
    '',
    'mkdir -p "$ROOT/etc/systemd/system"',
    `cat > "$ROOT/etc/systemd/system/${UNIT_NAME}" <<'${HEREDOC_UNIT}'`,
    unit.trimEnd(),
    HEREDOC_UNIT,
    `sed -i "s|@NAVARCH_AGENT_BIN@|$NAVARCH_AGENT_BIN|" "$ROOT/etc/systemd/system/${UNIT_NAME}"`,
    `chmod 0644 "$ROOT/etc/systemd/system/${UNIT_NAME}"`,
    'systemctl daemon-reload',
    `systemctl enable --now ${UNIT_NAME}`,
    '',
  );
  return lines.join('\n');
}
