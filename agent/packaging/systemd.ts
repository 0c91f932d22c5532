/**
 * The agent's systemd unit. It runs as root (it reads /dev/kmsg, talks to the driver, and
 * terminate-self shuts the machine down), restarts on any exit, keeps its undelivered reports in
 * /var/lib/navarch-agent, and reads its settings from a root-only environment file. Memory and CPU
 * are capped so a misbehaving agent cannot starve the GPU workload it watches.
 */
import { assertOneLine, systemdQuote } from './quote.js';

export const UNIT_NAME = 'navarch-agent.service';
export const ENV_FILE = '/etc/navarch/agent.env';
export const TOKEN_FILE = '/etc/navarch/node-token';
export const STATE_DIR = '/var/lib/navarch-agent';

export interface UnitOptions {
  /** Absolute path of the navarch-agent executable. */
  binary?: string;
  /** Extra arguments after `run`. */
  args?: string[];
}

export function systemdUnit(opts: UnitOptions = {}): string {
  const binary = opts.binary ?? '/usr/bin/navarch-agent';
  assertOneLine('binary', binary);
  for (const a of opts.args ?? []) assertOneLine('argument', a);
  const args = ['run', '--state-dir', STATE_DIR, ...(opts.args ?? [])].map((a) => (/^[\w@+=:,./-]+$/.test(a) ? a : systemdQuote(a)));
  return [
    '[Unit]',
    'Description=navarch node agent (GPU health, XIDs, spot notices)',
    'Documentation=https://www.npmjs.com/package/navarch',
    'After=network-online.target nvidia-persistenced.service',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    'User=root',
    `EnvironmentFile=${ENV_FILE}`,
    `ExecStart=${binary} ${args.join(' ')}`,
    'Restart=always',
    'RestartSec=10',
    // SIGTERM lets the agent deliver or save what it holds; it stops within a few seconds.
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30',
    'StateDirectory=navarch-agent',
    'StateDirectoryMode=0700',
    'StandardOutput=journal',
    'StandardError=journal',
    'MemoryHigh=256M',
    'MemoryMax=512M',
    'CPUWeight=20',
    'ProtectSystem=full',
    'ProtectHome=true',
    'PrivateTmp=true',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
