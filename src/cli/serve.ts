/**
 * `navarch serve`: the control plane: agent and admin API, reconcile loop, health-driven
 * replacement, over a directory or a git repository (`--repo`) whose status it commits back.
 */
import type { Command } from 'commander';
import { formatDuration, NavarchError, parseDuration } from '../model/index.js';
import type { ControlPlaneEvent, ListenAddress } from '../server/index.js';
import { colorEnabled, colors, type CliContext, type Colors } from './context.js';
import { authorOf, gitTarget, lockOptions, withLock, withRepo, type GitOptions } from './git-options.js';
import { cliLogger, resolveDir, withColor, withDir, type DirOptions } from './shared.js';

interface ServeOptions extends DirOptions, Omit<GitOptions, 'commit' | 'push'> {
  listen?: string;
  url?: string;
  tlsCert?: string;
  tlsKey?: string;
  store?: string;
  interval?: string;
  allowDestroy?: boolean;
  allowLarge?: boolean;
  insecureDev?: boolean;
}

function describe(e: ControlPlaneEvent, c: Colors): string | undefined {
  switch (e.type) {
    case 'reconcile-done': {
      const s = e.summary;
      const done = [
        s.actions > 0 ? `reconcile ${s.result}: ${s.actions} action(s)` : '',
        s.statusCommit ? `status pushed as ${s.statusCommit.slice(0, 7)}${s.desiredCommit ? ` (desired ${s.desiredCommit.slice(0, 7)})` : ''}` : '',
      ].filter(Boolean);
      const head = s.error ? c.red(`reconcile failed: ${s.error}`) : s.skipped ? c.yellow(`reconcile skipped: ${s.skipped}`) : done.join('; ') || undefined;
      const warnings = s.warnings.map((w) => c.yellow(`warning: ${w}`));
      return [head, ...warnings].filter(Boolean).join('\n') || undefined;
    }
    case 'apply':
      if (e.event.type === 'start') return `${e.event.action.kind} ${e.event.action.existing?.name ?? e.event.action.node}: ${e.event.action.reason.message}`;
      if (e.event.type === 'done') return c.green(`${e.event.action.kind} ${e.event.action.node}: ${e.event.started ? 'started' : 'done'}`);
      if (e.event.type === 'failed') return c.red(`${e.event.action.kind} ${e.event.action.node} failed: ${e.event.error}`);
      if (e.event.type === 'failover') return c.yellow(`${e.event.action.node}: ${e.event.from} → ${e.event.to} (${e.event.error})`);
      return undefined;
    case 'breaker':
      return e.transition === 'opened' ? c.red(c.bold(`ALERT circuit breaker open: ${e.message}`)) : c.green(`circuit breaker of pool "${e.pool}" closed: ${e.message}`);
    case 'cordoned':
      return `cordoned and draining ${e.node}: ${e.reason}${e.notifierError ? c.red(` (notifier: ${e.notifierError})`) : ''}`;
    case 'drain-timeout':
      return c.yellow(`${e.node}: drain not confirmed after ${formatDuration(e.waitedMs)}; terminating anyway`);
    case 'waiting-ready':
      return `waiting for ${e.node} to register and report healthy before removing ${e.replaces}`;
    case 'lifecycle': {
      const line = `${e.id}: ${e.state}${e.state === 'waiting' ? '' : ` (${e.message})`}`;
      return e.state === 'failed' ? c.red(line) : e.state === 'done' ? c.green(line) : line;
    }
    default:
      return undefined;
  }
}

const BANNER = (token: string, where: string): string =>
  [
    '',
    '!'.repeat(78),
    '!! INSECURE DEVELOPMENT MODE (--insecure-dev)',
    '!! NAVARCH_AUTH_TOKEN and/or NAVARCH_NODE_SECRET are not set: well-known values stand in.',
    `!! Anyone who can reach ${where} can register nodes and control this fleet.`,
    `!! Admin token: ${token}`,
    '!! Never run this way outside a development machine.',
    '!'.repeat(78),
    '',
    '',
  ].join('\n');

export function registerServe(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('serve')
    .description('Run the control plane: the API node agents report to, and a reconcile loop that keeps pools at size and replaces unhealthy nodes')
    .option('--listen <host:port>', 'address to listen on (default: control_plane.listen, else 0.0.0.0:7600)')
    .option('--url <url>', 'URL new nodes use to reach this control plane (default: derived from --listen)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--store <path>', 'the embedded store (default: control_plane.store, else .navarch/control-plane.db)')
    .option('--interval <duration>', 'time between reconciles (default: control_plane.interval, else 1m)')
    .option('--allow-destroy', 'apply plans that destroy more than `safety.max_destroy_percent` of a pool (otherwise those destroys are skipped)')
    .option('--allow-large', 'grow pools past `safety.max_nodes_per_pool` and create more than `safety.max_create` nodes per reconcile (otherwise it stops at them)')
    .option('--insecure-dev', 'start without NAVARCH_AUTH_TOKEN / NAVARCH_NODE_SECRET, using well-known values (development only)')
    .addHelpText(
      'after',
      '\nEnvironment: NAVARCH_AUTH_TOKEN (admin bearer token), NAVARCH_NODE_SECRET (node tokens derive from it; see `navarch token node`),\n' +
        'NAVARCH_WEBHOOK_SECRET (optional: the secret a git host signs POST /v1/hooks/git with), NAVARCH_GIT_TOKEN or GITHUB_TOKEN (with --repo).\n' +
        'With --repo, each reconcile fetches the branch, takes the fleet lock, applies, and pushes the status; a reconcile\n' +
        'that finds the lock held by another applier is skipped. The store and local state live in the cache (--store to move the store).\n' +
        'Stops on SIGINT or SIGTERM: actions in flight finish, nothing new starts.\n' +
        'Examples:\n  NAVARCH_AUTH_TOKEN=... NAVARCH_NODE_SECRET=... navarch serve --dir . --listen 0.0.0.0:7600\n' +
        '  NAVARCH_GIT_TOKEN=... NAVARCH_WEBHOOK_SECRET=... navarch serve --repo https://github.com/org/fleet.git --ref main',
    );
  const author = 'with --repo: author of status commits, "Name <email>" (default: navarch <navarch@users.noreply.github.com>)';
  withLock(withRepo(withColor(withDir(cmd))).option('--git-author <author>', author)).action(async (opts: ServeOptions, command: Command) => {
    const server = await import('../server/index.js');
    const c = colors(colorEnabled(ctx, opts));
    if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new NavarchError('cli.invalid', '--tls-cert and --tls-key go together');
    const listen: ListenAddress | undefined = opts.listen ? server.parseListen(opts.listen) : undefined;
    const intervalMs = opts.interval !== undefined ? parseDuration(opts.interval) : undefined;
    if (opts.interval !== undefined && !intervalMs) throw new NavarchError('cli.invalid', `--interval expects a duration such as 30s or 5m, not "${opts.interval}"`);
    const logger = cliLogger(ctx);
    const target = await gitTarget(ctx, command, opts, logger);
    const running = await server.startServe({
      dir: target ? target.workdir : resolveDir(ctx, opts.dir),
      ...(target ? { target, filesDir: ctx.cwd, author: authorOf(opts), lock: lockOptions(ctx, opts) } : {}),
      env: ctx.env,
      clock: ctx.clock,
      logger,
      listen,
      url: opts.url,
      tls: opts.tlsCert && opts.tlsKey ? { cert: resolveDir(ctx, opts.tlsCert), key: resolveDir(ctx, opts.tlsKey) } : undefined,
      store: opts.store ? resolveDir(ctx, opts.store) : undefined,
      intervalMs,
      allowDestroy: opts.allowDestroy ?? false,
      allowLarge: opts.allowLarge ?? false,
      insecureDev: opts.insecureDev ?? false,
      onEvent: (e) => {
        const line = describe(e, c);
        if (line) ctx.stdout.write(`${line}\n`);
      },
    });
    if (running.credentials.insecure) ctx.stderr.write(c.red(c.bold(BANNER(running.credentials.adminToken, running.address))));
    const s = running.settings;
    ctx.stdout.write(
      `navarch serve: listening on ${running.address}; agents call ${running.agentUrl}; config ${running.config}; store ${running.storePath}; reconcile every ${formatDuration(s.intervalMs)}\n`,
    );
    let signals = 0;
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => {
      // Listeners stay until the end: other libraries' exit hooks re-raise a signal nobody else handles.
      stop = (): void => {
        signals += 1;
        if (signals > 1) process.exit(130);
        ctx.stdout.write('\nStopping: actions in flight finish, nothing new starts. Signal again to exit now.\n');
        void running.close().then(resolve, resolve);
      };
    });
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      await stopped;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    ctx.stdout.write('navarch serve: stopped\n');
  });
}
