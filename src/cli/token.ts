/** `navarch token node ID`: a node's agent token, for bootstrapping a machine by hand. */
import type { Command } from 'commander';
import { NavarchError, nodeIdProblem } from '../model/index.js';
import type { CliContext } from './context.js';
import { sharedOption, withColor } from './options.js';

export function registerToken(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('Print credentials for the control plane');
  const node = token
    .command('node')
    .argument('<id>', 'the node name, e.g. train-3')
    .description("Print a node's agent token (derived from NAVARCH_NODE_SECRET; valid for that node only)")
    .addOption(sharedOption('insecureDev'))
    .addHelpText(
      'after',
      '\nWith --insecure-dev, the token is for `navarch serve --insecure-dev`. It reads no config repository, so it takes no --dir.\nThe agent reads it from NAVARCH_NODE_TOKEN or NAVARCH_NODE_TOKEN_FILE. navarch serve puts it in the\n' +
        "user data of every node it creates; use this for machines set up by hand.\nExample:\n  NAVARCH_NODE_SECRET=... navarch token node train-3 > /etc/navarch/node-token",
    );
  withColor(node).action(async (id: string, opts: { insecureDev?: boolean }) => {
    const server = await import('../server/index.js');
    const problem = nodeIdProblem(id);
    if (problem) throw new NavarchError('cli.invalid', problem);
    const secret = ctx.env['NAVARCH_NODE_SECRET'] || (opts.insecureDev ? server.INSECURE_NODE_SECRET : undefined);
    if (!secret) {
      throw new NavarchError('token.no-secret', 'set NAVARCH_NODE_SECRET (the secret navarch serve derives node tokens from), or pass --insecure-dev');
    }
    ctx.stdout.write(`${server.nodeToken(secret, id)}\n`);
  });
}
