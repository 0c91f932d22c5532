/** `navarch status`: the fleet as the status file records it. */
import type { Command } from 'commander';
import { readTarget } from '../engine/index.js';
import { describeLock, lockRefFor, readLock, type LockInfo } from '../git/index.js';
import { NavarchError, outputFormat, type DesiredFleet, type FleetStatus } from '../model/index.js';
import { formatMoney } from '../plan/index.js';
import { colorEnabled, colors, type CliContext, type Colors } from './context.js';
import { anyTarget, authorOf, withRepo, type GitOptions } from './git-options.js';
import { sharedOption, withOutput } from './options.js';
import { cliLogger, withColor, withDir, type DirOptions } from './shared.js';
import { table } from './table.js';

interface StatusOptions extends DirOptions, GitOptions {}

export function registerStatus(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('status')
    .description('Show the fleet as last observed: pools, nodes, health, cost (reads the status file; calls no cloud)')
    .addOption(sharedOption('lockRef'))
    .addHelpText('after', '\n--json prints the status document (schemas/status.schema.json).\nSays whether the fleet is locked (with --repo, by the lock on the repository; with --dir, by an apply on that directory).\nWith --repo, reads the status committed on the branch head.');
  withRepo(withColor(withOutput(withDir(cmd), ['text', 'json', 'wide']))).action(async (opts: StatusOptions, command: Command) => {
    const format = outputFormat(opts);
    // A plain directory is a target too: read the same way, its lock a file in .navarch/.
    const target = await anyTarget(ctx, command, opts, cliLogger(ctx));
    const { desired, status } = await readTarget(target);
    const store = await target.lockStore({ ref: opts.lockRef ?? lockRefFor(desired.fleet), author: authorOf(opts), clock: ctx.clock });
    const lock: LockInfo | undefined = (await readLock(store))?.info;
    if (!status) {
      throw new NavarchError('status.missing', `no status yet at ${desired.statusFile}: run \`navarch apply\` first`);
    }
    if (format === 'json') {
      ctx.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return;
    }
    const c = colors(colorEnabled(ctx, opts));
    ctx.stdout.write(
      `${c.bold(`Fleet "${status.fleet}"`)}: ${status.summary.nodes} nodes, ${status.summary.healthy} healthy, ` +
        `${status.summary.unhealthy} unhealthy, ${formatMoney(status.summary.cost_per_hour)}/hr (updated ${status.updated_at})\n`,
    );
    ctx.stdout.write(`${currency(desired, status, c)}\n`);
    if (lock) ctx.stdout.write(`${c.yellow(`Locked by ${describeLock(lock, ctx.clock.now())}.`)}\n`);
    ctx.stdout.write('\n');
    const pools = Object.entries(status.pools).map(([name, p]) => {
      const ready = p.conditions.find((x) => x.type === 'Ready');
      return [name, `${p.nodes}/${p.target}`, String(p.healthy), `${p.min_nodes}-${p.max_nodes}`, formatMoney(p.cost_per_hour), p.protect ? 'yes' : '', ready ? `${ready.status === 'True' ? 'Ready' : ready.reason}: ${ready.message}` : ''];
    });
    ctx.stdout.write(table(['POOL', 'NODES', 'HEALTHY', 'MIN-MAX', '$/HR', 'PROTECT', 'CONDITION'], pools));
    if (status.nodes.length > 0) {
      ctx.stdout.write('\n');
      const nodes = status.nodes.map((n) => [
        n.name,
        n.pool,
        `${n.provider} ${n.zone ?? n.region}`,
        n.instance_type,
        n.spot ? 'spot' : 'on-demand',
        n.state,
        n.health === 'unhealthy' ? c.red(n.health) : n.health,
        n.since,
        n.health_reason ?? n.placement_note ?? '',
      ]);
      ctx.stdout.write(table(['NODE', 'POOL', 'WHERE', 'TYPE', 'MARKET', 'STATE', 'HEALTH', 'SINCE', 'NOTE'], nodes));
    }
  });
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
