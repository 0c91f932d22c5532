/** `navarch status`: the fleet as the status file records it, once or as it changes (`--watch`). */
import { join } from 'node:path';
import type { Command } from 'commander';
import { readTarget } from '../engine/index.js';
import { describeLock, lockRefFor, readLock, statusChanged, type ConfigTarget, type LockInfo } from '../git/index.js';
import { asNavarchError, NavarchError, outputFormat, type DesiredFleet, type FleetStatus } from '../model/index.js';
import { serializeStatus } from '../status/index.js';
import { colorEnabled, colors, type CliContext, type Colors } from './context.js';
import { anyTarget, authorOf, durationOption, withRepo, type GitOptions } from './git-options.js';
import { sharedOption, withColor, withDir, withOutput } from './options.js';
import { cliLogger, type DirOptions } from './shared.js';
import { renderStatus } from './status-view.js';
import { systemTrigger } from './watch.js';

interface StatusOptions extends DirOptions, GitOptions {
  pool?: string;
  watch?: boolean;
  interval?: string;
}

/** What one read of the target shows. */
interface View {
  status: FleetStatus;
  desired: DesiredFleet;
  lock: LockInfo | undefined;
}

/** Clears a terminal and puts the cursor home, so a redraw replaces the last view. */
const CLEAR = '\x1b[H\x1b[2J';

export function registerStatus(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('status')
    .description('Show the fleet as last observed: pools, nodes, health, cost (reads the status file; calls no cloud)')
    .option('--pool <name>', 'only this pool and its nodes')
    .option('-w, --watch', 'keep showing the status as it changes (on a terminal, redrawn in place); Ctrl-C stops')
    .addOption(sharedOption('interval').default('2s'))
    .addOption(sharedOption('lockRef'))
    .addHelpText(
      'after',
      '\n--json prints the status document (schemas/status.schema.json); -o wide adds each node\'s zone, addresses and agent version.\n' +
        'Says whether the fleet is locked (with --repo, by the lock on the repository; with --dir, by an apply on that directory).\n' +
        'With --repo, reads the status committed on the branch head (with --watch, fetched again every --interval).\n' +
        'With --watch, --interval is how often to look again besides when the status file changes (default 2s).\n' +
        'AGE counts from each node\'s launch; COST is what it has cost since, at its price per hour. GPUS and LAST SEEN come\n' +
        'from the node agents through navarch serve: `unknown` and `-` until an agent has reported.',
    );
  withRepo(withColor(withOutput(withDir(cmd), ['text', 'json', 'wide']))).action(async (opts: StatusOptions, command: Command) => {
    const format = outputFormat(opts);
    const json = format === 'json';
    const intervalMs = durationOption('--interval', opts.interval) as number;
    if (intervalMs < 100) throw new NavarchError('cli.invalid', '--interval must be at least 100ms');
    // A plain directory is a target too: read the same way, its lock a file in .navarch/.
    const target = await anyTarget(ctx, command, opts, cliLogger(ctx));
    const c = colors(colorEnabled(ctx, opts));
    const read = (): Promise<View> => readView(ctx, target, opts);
    const show = (v: View): string => (json ? jsonOf(v, opts) : textOf(ctx, v, opts, c));
    const first = await read();
    if (!opts.watch) {
      ctx.stdout.write(show(first));
      return;
    }
    await watchView(ctx, target, first, read, show, { json, intervalMs });
  });
}

/** Reads the status and the lock; refuses a `--pool` the status does not know. */
async function readView(ctx: CliContext, target: ConfigTarget, opts: StatusOptions): Promise<View> {
  const { desired, status } = await readTarget(target);
  const store = await target.lockStore({ ref: opts.lockRef ?? lockRefFor(desired.fleet), author: authorOf(opts), clock: ctx.clock });
  const lock = (await readLock(store))?.info;
  if (!status) {
    throw new NavarchError('status.missing', `no status yet at ${desired.statusFile}: run \`navarch apply\` first`);
  }
  if (opts.pool !== undefined && !(opts.pool in status.pools)) {
    const known = Object.keys(status.pools);
    throw new NavarchError('cli.invalid', `--pool ${opts.pool}: ${desired.statusFile} has no such pool (${known.length ? `it has ${known.join(', ')}` : 'it has no pools'})`);
  }
  return { status, desired, lock };
}

/** The status document, narrowed to `--pool`; one line per document when watching. */
function jsonOf(v: View, opts: StatusOptions): string {
  const pool = opts.pool;
  const doc =
    pool === undefined
      ? v.status
      : { ...v.status, pools: Object.fromEntries(Object.entries(v.status.pools).filter(([name]) => name === pool)), nodes: v.status.nodes.filter((n) => n.pool === pool) };
  return opts.watch ? `${JSON.stringify(doc)}\n` : `${JSON.stringify(doc, null, 2)}\n`;
}

function textOf(ctx: CliContext, v: View, opts: StatusOptions, c: Colors): string {
  const notes = [currency(v.desired, v.status, c)];
  if (v.lock) notes.push(c.yellow(`Locked by ${describeLock(v.lock, ctx.clock.now())}.`));
  return renderStatus(v.status, { now: ctx.clock.now(), pool: opts.pool, wide: outputFormat(opts) === 'wide', c, notes });
}

/**
 * Shows the view again each time the trigger fires: on a terminal, redrawn in place (ages move on);
 * elsewhere, printed again only when the status says something new (a reconcile that only moved
 * its timestamps does not, as for a status commit) or the lock changed. A read that fails (a fetch, a
 * file caught mid-edit) is said once and watching goes on. SIGINT or SIGTERM stop it, exit 0.
 */
async function watchView(
  ctx: CliContext,
  target: ConfigTarget,
  first: View,
  read: () => Promise<View>,
  show: (v: View) => string,
  o: { json: boolean; intervalMs: number },
): Promise<void> {
  const tty = ctx.stdout.isTTY && !o.json;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const changed = (a: View, b: View): boolean =>
    statusChanged(serializeStatus(a.status), serializeStatus(b.status)) || JSON.stringify(a.lock ?? null) !== JSON.stringify(b.lock ?? null);
  let last = first;
  let failed: string | undefined;
  ctx.stdout.write(tty ? `${CLEAR}${show(first)}` : show(first));
  try {
    const trigger = ctx.watch ?? systemTrigger(ctx.clock);
    const file = target.statusOnDisk ? join(target.workdir, first.desired.statusFile) : undefined;
    for await (const _ of trigger({ file, intervalMs: o.intervalMs }, stop.signal)) {
      let v: View;
      try {
        v = await read();
      } catch (err) {
        const message = asNavarchError(err).message;
        if (message !== failed) ctx.stderr.write(`error: ${message} (still watching)\n`);
        failed = message;
        continue;
      }
      failed = undefined;
      if (tty) ctx.stdout.write(`${CLEAR}${show(v)}`);
      else if (changed(last, v)) ctx.stdout.write(o.json ? show(v) : `\n${show(v)}`);
      else continue;
      last = v;
      if (stop.signal.aborted) break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  ctx.exitCode = 0;
}

/** Whether the status reflects the configuration as it is now, by digest, and by commit when known. */
function currency(desired: DesiredFleet, status: FleetStatus, c: Colors): string {
  const recorded = status.desired.commit;
  const now = desired.commit;
  if (status.desired.digest !== desired.digest) {
    const which = recorded && now && recorded !== now ? ` (status reflects commit ${recorded.slice(0, 7)}; the configuration is at ${now.slice(0, 7)})` : '';
    return c.yellow(`The configuration changed since this status was written${which}; run \`navarch plan\` to see what would change.`);
  }
  return `Reflects the current configuration${recorded ? ` (commit ${recorded.slice(0, 7)})` : ''}.`;
}
