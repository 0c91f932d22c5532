/** What `navarch apply` asks and reports, whichever way the config is read. */
import type { ApplyResult } from '../apply/index.js';
import { EXIT, NavarchError } from '../model/index.js';
import type { CliContext, Colors } from './context.js';
import type { GitOptions } from './git-options.js';
import { confirm } from './prompt.js';
import type { DirOptions } from './shared.js';

export interface ApplyOptions extends DirOptions, GitOptions {
  autoApprove?: boolean;
  allowDestroy?: boolean;
  allowLarge?: boolean;
  concurrency?: string;
}

/** `--concurrency N`: a positive whole number, or undefined for the configured default. */
export function parseConcurrency(text: string | undefined): number | undefined {
  const concurrency = text === undefined ? undefined : Number(text);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new NavarchError('cli.invalid', `--concurrency must be a positive whole number, not "${text ?? ''}"`);
  }
  return concurrency;
}

/** Asks on a terminal; refuses off one without --auto-approve. False (and exit 1) when declined. */
export async function approved(ctx: CliContext, opts: ApplyOptions): Promise<boolean> {
  if (opts.autoApprove) return true;
  if (!ctx.stdin.isTTY) {
    throw new NavarchError('apply.not-approved', 'apply needs --auto-approve when not run from a terminal; nothing was changed');
  }
  if (await confirm(ctx, '\nDo you want to perform these actions?')) return true;
  ctx.stdout.write('\nApply cancelled.\n');
  ctx.exitCode = EXIT.error;
  return false;
}

/** `Apply complete! Resources: ...`, or what failed, what was not attempted and why. */
export function printResult(ctx: CliContext, result: ApplyResult, c: Colors): void {
  const count = (kind: string): number => result.results.filter((r) => r.result === 'ok' && r.action.kind === kind).length;
  const added = count('create') + count('replace');
  const destroyed = count('destroy') + count('replace');
  const failed = result.results.filter((r) => r.result === 'failed').length;
  const skipped = result.results.filter((r) => r.result === 'skipped');
  const line = `Resources: ${added} added, ${count('update')} changed, ${destroyed} destroyed.`;
  if (result.ok) {
    ctx.stdout.write(`\n${c.green(c.bold('Apply complete!'))} ${line}\n`);
    return;
  }
  ctx.stdout.write(`\n${c.red(c.bold('Apply incomplete:'))} ${failed} failed, ${skipped.length} not attempted. ${line}\n`);
  if (result.stoppedBy) {
    ctx.stdout.write(`Stopped after ${result.stoppedBy.action.id} failed: ${result.stoppedBy.error}; no new action was started.\n`);
  }
  if (skipped.length > 0) ctx.stdout.write(`Not attempted: ${skipped.map((r) => r.action.id).join(', ')}.\n`);
  if (result.unknown.length > 0) ctx.stdout.write(`${unknownLine(result)}\n`);
  ctx.stdout.write('Run `navarch plan` to see what is left.\n');
}

/** `Not planned, their records left as they were: train (provider "aws" could not be listed).` */
export function unknownLine(result: Pick<ApplyResult, 'unknown'>): string {
  const providers = [...new Set(result.unknown.flatMap((u) => u.providers))].sort();
  const which = providers.map((p) => `"${p}"`).join(', ');
  return `Not planned, their records left as they were: ${result.unknown.map((u) => u.pool).join(', ')} (${providers.length === 1 ? 'provider' : 'providers'} ${which} could not be listed).`;
}
