/**
 * `navarch serve`: the control plane: agent and admin API, reconcile loop, health-driven
 * replacement, over a directory or a git repository (`--repo`) whose status it commits back.
 */
import type { Command } from 'commander';
import { LOG_FORMATS, LOG_LEVELS } from '../log/index.js';
import { formatDuration, NavarchError, parseDuration } from '../model/index.js';
import type { ListenAddress } from '../server/index.js';
import type { CliContext } from './context.js';
import { authorOf, gitTarget, lockOptions, withLock, withRepo, type GitOptions } from './git-options.js';
import { sharedOption, withColor, withDir } from './options.js';
import { cliLogger, resolveDir, type DirOptions, type LogOptions } from './shared.js';

interface ServeOptions extends DirOptions, LogOptions, Omit<GitOptions, 'commit' | 'push'> {
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

/**
 * The insecure-mode warning, as one record: the admin token is a well-known value, said so that a
 * developer can call the API, and a reader of the log sees at once how open this process is.
 */
const insecureWarning = (token: string, where: string): string =>
  `INSECURE DEVELOPMENT MODE (--insecure-dev): NAVARCH_AUTH_TOKEN and/or NAVARCH_NODE_SECRET are not set, so well-known values stand in ` +
  `(admin token ${token}); anyone who can reach ${where} can register nodes and control this fleet. Never run this way outside a development machine.`;

export function registerServe(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('serve')
    .description('Run the control plane: the API node agents report to, and a reconcile loop that keeps pools at size and replaces unhealthy nodes')
    .option('--listen <host:port>', 'address to listen on (default: control_plane.listen, else 0.0.0.0:7600)')
    .option('--url <url>', 'URL new nodes use to reach this control plane (default: derived from --listen)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--store <path>', 'the embedded store (default: control_plane.store, else .navarch/control-plane.db)')
    .addOption(sharedOption('interval'))
    .addOption(sharedOption('allowDestroy'))
    .addOption(sharedOption('allowLarge'))
    .addOption(sharedOption('insecureDev'))
    .addOption(sharedOption('logLevel').choices(LOG_LEVELS))
    .addOption(sharedOption('logFormat').choices(LOG_FORMATS))
    .addHelpText(
      'after',
      '\n--interval defaults to control_plane.interval, else 1m.\n' +
        'Without --allow-destroy, destroys past the limit are skipped; without --allow-large, each reconcile\n' +
        'creates up to the size limits and warns about the rest.\n' +
        'Environment: NAVARCH_AUTH_TOKEN (admin bearer token), NAVARCH_NODE_SECRET (node tokens derive from it; see `navarch token node`),\n' +
        'NAVARCH_WEBHOOK_SECRET (optional: the secret a git host signs POST /v1/hooks/git with), NAVARCH_GIT_TOKEN or GITHUB_TOKEN (with --repo).\n' +
        'With --repo, each reconcile fetches the branch, takes the fleet lock, applies, and pushes the status; a reconcile\n' +
        'that finds the lock held by another applier is skipped. The store and local state live in the cache (--store to move the store).\n' +
        'Stops on SIGINT or SIGTERM: actions in flight finish, nothing new starts.\n' +
        'Everything it says is a log record on stderr, each with its time: text lines on a terminal, JSON lines otherwise.\n' +
        'Examples:\n  NAVARCH_AUTH_TOKEN=... NAVARCH_NODE_SECRET=... navarch serve --dir . --listen 0.0.0.0:7600\n' +
        '  NAVARCH_GIT_TOKEN=... NAVARCH_WEBHOOK_SECRET=... navarch serve --repo https://github.com/org/fleet.git --ref main',
    );
  withLock(withRepo(withColor(withDir(cmd))).addOption(sharedOption('gitAuthor'))).action(async (opts: ServeOptions, command: Command) => {
    const server = await import('../server/index.js');
    if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new NavarchError('cli.invalid', '--tls-cert and --tls-key go together');
    const listen: ListenAddress | undefined = opts.listen ? server.parseListen(opts.listen) : undefined;
    const intervalMs = opts.interval !== undefined ? parseDuration(opts.interval) : undefined;
    if (opts.interval !== undefined && !intervalMs) throw new NavarchError('cli.invalid', `--interval expects a duration such as 30s or 5m, not "${opts.interval}"`);
    const logger = cliLogger(ctx, opts, 'info');
    const log = logger.child({ component: 'serve' });
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
    });
    if (running.credentials.insecure) log.warn(insecureWarning(running.credentials.adminToken, running.address));
    const s = running.settings;
    log.info(
      { address: running.address, agentUrl: running.agentUrl, config: running.config, store: running.storePath, interval: formatDuration(s.intervalMs) },
      `listening on ${running.address}`,
    );
    let signals = 0;
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => {
      // Listeners stay until the end: other libraries' exit hooks re-raise a signal nobody else handles.
      stop = (): void => {
        signals += 1;
        if (signals > 1) process.exit(130);
        log.info('stopping: actions in flight finish, nothing new starts; signal again to exit now');
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
    log.info('stopped');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  });
}
