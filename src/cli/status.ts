/** `navarch status`: the fleet as the status file records it. */
import type { Command } from 'commander';
import { loadWorkspaceDesired } from '../engine/index.js';
import { NavarchError } from '../model/index.js';
import { readStatus } from '../status/index.js';
import { colorEnabled, colors, type CliContext } from './context.js';
import { money, resolveDir, withColor, withDir, type DirOptions } from './shared.js';
import { table } from './table.js';

export function registerStatus(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('status')
    .description('Show the fleet as last observed: pools, nodes, health, cost (reads the status file; calls no cloud)')
    .option('--json', 'print the status document (schemas/status.schema.json)');
  withColor(withDir(cmd)).action(async (opts: DirOptions) => {
    const desired = await loadWorkspaceDesired({ source: resolveDir(ctx, opts.dir) });
    const status = await readStatus(desired.root, desired.statusFile);
    if (!status) {
      throw new NavarchError('status.missing', `no status yet at ${desired.statusFile}: run \`navarch apply\` first`);
    }
    if (opts.json) {
      ctx.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return;
    }
    const c = colors(colorEnabled(ctx, opts));
    const current = status.desired.digest === desired.digest;
    ctx.stdout.write(
      `${c.bold(`Fleet "${status.fleet}"`)}: ${status.summary.nodes} nodes, ${status.summary.healthy} healthy, ` +
        `${status.summary.unhealthy} unhealthy, ${money(status.summary.cost_per_hour)}/hr (updated ${status.updated_at})\n`,
    );
    ctx.stdout.write(
      current
        ? `Reflects the current configuration${status.desired.commit ? ` (commit ${status.desired.commit.slice(0, 7)})` : ''}.\n\n`
        : `${c.yellow('The configuration changed since this status was written; run `navarch plan` to see what would change.')}\n\n`,
    );
    const pools = Object.entries(status.pools).map(([name, p]) => {
      const ready = p.conditions.find((x) => x.type === 'Ready');
      return [name, `${p.nodes}/${p.target}`, String(p.healthy), `${p.min_nodes}-${p.max_nodes}`, money(p.cost_per_hour), p.protect ? 'yes' : '', ready ? `${ready.status === 'True' ? 'Ready' : ready.reason}: ${ready.message}` : ''];
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
