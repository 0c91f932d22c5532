/** `navarch plan`: what apply would do, and what it costs. */
import type { Command } from 'commander';
import { openTargetWorkspace, planWorkspace, readTarget } from '../engine/index.js';
import { safeUrl } from '../git/index.js';
import { EXIT, outputFormat, planHasChanges } from '../model/index.js';
import { renderJson, renderText, savePlan } from '../plan/index.js';
import { colorEnabled, type CliContext } from './context.js';
import { anyTarget, withRepo, type GitOptions } from './git-options.js';
import { sharedOption, withColor, withDir, withOutput } from './options.js';
import { cliLogger, reportGaps, resolveDir, type DirOptions } from './shared.js';

interface PlanOptions extends DirOptions, GitOptions {
  out?: string;
  detailedExitcode?: boolean;
  allowLarge?: boolean;
}

export function registerPlan(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('plan')
    .description('Show what apply would create, destroy, replace or update, and the cost per hour')
    .option('--out <file>', 'save the plan to FILE for `navarch apply FILE`')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .addOption(sharedOption('allowLarge'))
    .addHelpText(
      'after',
      '\nExit codes: 0 success (no changes), 1 error, 2 changes present (with --detailed-exitcode).\n' +
        '--json prints the versioned plan document (schemas/plan.schema.json). A plan made with --allow-large\n' +
        'applies as it is, without --allow-large.\n' +
        'With --repo, the plan records the commit it was made at; `navarch apply FILE` refuses it once\n' +
        'the configuration or the fleet has changed since.\n' +
        'Examples:\n  navarch plan --dir examples/quickstart\n  navarch plan --out plan.json && navarch apply plan.json\n' +
        '  navarch plan --repo https://github.com/org/fleet.git --ref main --out plan.json',
    );
  withRepo(withColor(withOutput(withDir(cmd)))).action(async (opts: PlanOptions, command: Command) => {
    const json = outputFormat(opts) === 'json';
    const logger = cliLogger(ctx);
    const target = await anyTarget(ctx, command, opts, logger);
    const ws = await openTargetWorkspace(target, await readTarget(target), { clock: ctx.clock, logger, env: ctx.env });
    const plan = planWorkspace(ws, ctx.clock, { large: opts.allowLarge ? 'allow' : 'guard' });
    if (opts.out) await savePlan(resolveDir(ctx, opts.out), plan);
    if (json) ctx.stdout.write(renderJson(plan));
    else {
      if (plan.desired.commit) ctx.stdout.write(`Planned at ${target.label}, commit ${plan.desired.commit.slice(0, 7)}.\n\n`);
      ctx.stdout.write(renderText(plan, { color: colorEnabled(ctx, opts) }));
      if (opts.out) {
        const where = opts.repo !== undefined ? ` --repo ${safeUrl(opts.repo)}${opts.ref !== undefined ? ` --ref ${opts.ref}` : ''}` : '';
        ctx.stdout.write(`\nSaved the plan to ${opts.out}. To perform exactly these actions, run:\n  navarch apply${where} ${opts.out}\n`);
      }
    }
    ctx.exitCode = reportGaps(ctx, ws.observation.observed.gaps) || (opts.detailedExitcode && planHasChanges(plan) ? EXIT.changes : EXIT.ok);
  });
}
