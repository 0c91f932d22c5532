/**
 * `navarch reconcile`: the GitOps loop. Each pass pulls the config, plans, applies and commits the
 * status back; between passes it waits the interval (±10%), longer after failures. SIGTERM lets
 * the pass in flight finish (actions in flight complete, nothing new starts, the status is
 * committed), then exits 0.
 */
import type { Command } from 'commander';
import { reconcileLoop, runPass, type PassOutcome, type PassVerdict } from '../engine/index.js';
import { describeLock, LockBusyError, type ConfigTarget } from '../git/index.js';
import { asNavarchError, EXIT, formatDuration, NavarchError, outputFormat, type OutputOptions } from '../model/index.js';
import { summaryLine } from '../plan/index.js';
import { parseConcurrency } from './apply-output.js';
import type { CliContext } from './context.js';
import { anyTarget, authorOf, durationOption, lockOptions, withCommit, withLock, withRepo, type GitOptions } from './git-options.js';
import { sharedOption, withColor, withDir, withOutput } from './options.js';
import { cliLogger } from './shared.js';

interface ReconcileOptions extends GitOptions, OutputOptions {
  interval: string;
  maxBackoff?: string;
  once?: boolean;
  allowDestroy?: boolean;
  allowLarge?: boolean;
  concurrency?: string;
}

/** What one pass did, as printed (one line, or one JSON object with --json). */
interface PassRecord {
  time: string;
  verdict: PassVerdict;
  head: string | null;
  desired_commit: string | null;
  plan: string | null;
  actions: { ok: number; failed: number; skipped: number };
  status: { changed: boolean; commit: string | null; pushed: boolean; attempts: number } | null;
  warnings: string[];
  error: string | null;
  next_pass_ms?: number;
}

export function registerReconcile(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('reconcile')
    .description('Keep the fleet at the configuration: pull, plan, apply and commit the status, on an interval')
    .addOption(sharedOption('interval').default('60s'))
    .option('--max-backoff <duration>', 'longest wait between passes after repeated failures', '10m')
    .option('--once', 'run one pass and exit: 0 when it succeeded, 1 when it failed')
    .addOption(sharedOption('allowDestroy'))
    .addOption(sharedOption('allowLarge'))
    .addOption(sharedOption('concurrency'))
    .addHelpText(
      'after',
      '\nPasses start --interval apart, ±10% jitter. With --json, prints one JSON object per pass (JSON Lines).\n' +
        'Each pass takes the fleet lock; a pass that finds it held by another run is skipped (use\n' +
        '--lock-timeout to wait instead). Passes that fail are retried sooner or later on an\n' +
        'exponential backoff capped by --max-backoff. SIGTERM or Ctrl-C lets the pass in flight finish.\n' +
        'Examples:\n  NAVARCH_GIT_TOKEN=... navarch reconcile --repo https://github.com/org/fleet.git --interval 2m\n' +
        '  navarch reconcile --repo https://github.com/org/fleet.git --once',
    );
  withLock(withCommit(withRepo(withColor(withOutput(withDir(cmd)))))).action(async (opts: ReconcileOptions, command: Command) => {
    const json = outputFormat(opts) === 'json';
    const intervalMs = durationOption('--interval', opts.interval) as number;
    if (intervalMs < 1000) throw new NavarchError('cli.invalid', '--interval must be at least 1s');
    const maxBackoffMs = durationOption('--max-backoff', opts.maxBackoff);
    const concurrency = parseConcurrency(opts.concurrency);
    const logger = cliLogger(ctx);
    const target = await anyTarget(ctx, command, opts, logger);
    const lock = lockOptions(ctx, opts);

    const stop = new AbortController();
    let signals = 0;
    const onSignal = (): void => {
      signals += 1;
      if (signals === 1) {
        ctx.stderr.write('Stopping: the pass in flight finishes (nothing new starts), then navarch exits.\n');
        stop.abort(new NavarchError('reconcile.stopped', 'stopped'));
      } else process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    let pending: PassRecord | undefined;
    const flush = (nextMs?: number): void => {
      if (!pending) return;
      if (nextMs !== undefined) pending.next_pass_ms = nextMs;
      ctx.stdout.write(json ? `${JSON.stringify(pending)}\n` : `${line(pending)}\n`);
      pending = undefined;
    };
    const pass = async (signal: AbortSignal): Promise<PassVerdict> => {
      const record = await onePass(ctx, target, opts, signal, { lock, concurrency, logger });
      for (const w of record.warnings) ctx.stderr.write(`warning: ${w}\n`);
      pending = record;
      return record.verdict;
    };
    try {
      if (opts.once) {
        const verdict = await pass(stop.signal);
        flush();
        ctx.exitCode = verdict === 'ok' || (verdict === 'skipped' && stop.signal.aborted) ? EXIT.ok : EXIT.error;
        return;
      }
      await reconcileLoop({
        intervalMs,
        ...(maxBackoffMs !== undefined ? { maxBackoffMs } : {}),
        clock: ctx.clock,
        signal: stop.signal,
        pass,
        onPause: (ms) => flush(ms),
      });
      flush();
      ctx.exitCode = EXIT.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

async function onePass(
  ctx: CliContext,
  target: ConfigTarget,
  opts: ReconcileOptions,
  signal: AbortSignal,
  extra: { lock: ReturnType<typeof lockOptions>; concurrency: number | undefined; logger: ReturnType<typeof cliLogger> },
): Promise<PassRecord> {
  const time = new Date(ctx.clock.now()).toISOString();
  const empty = { head: null, desired_commit: null, plan: null, actions: { ok: 0, failed: 0, skipped: 0 }, status: null, warnings: [] };
  let outcome: PassOutcome;
  try {
    outcome = await runPass({
      target,
      command: 'navarch reconcile',
      author: authorOf(opts),
      clock: ctx.clock,
      logger: extra.logger,
      env: ctx.env,
      signal,
      lock: extra.lock,
      allowDestroy: opts.allowDestroy ?? false,
      allowLarge: opts.allowLarge ?? false,
      ...(extra.concurrency ? { concurrency: extra.concurrency } : {}),
    });
  } catch (err) {
    if (err instanceof LockBusyError) {
      return { time, verdict: 'skipped', ...empty, error: `skipped: locked by ${describeLock(err.lock, ctx.clock.now())}` };
    }
    if (signal.aborted && (err === signal.reason || (err as { name?: string }).name === 'AbortError')) {
      return { time, verdict: 'skipped', ...empty, error: 'stopped before anything started' };
    }
    return { time, verdict: 'failed', ...empty, error: asNavarchError(err).message };
  }
  const results = outcome.result?.results ?? [];
  const count = (r: string): number => results.filter((x) => x.result === r).length;
  const p = outcome.published;
  const failed = count('failed') > 0;
  // A pass that could not see some pools did not bring them to the configuration either.
  const unknown = outcome.plan.unknown;
  const unknownError = unknown.length > 0 ? `not planned, their provider could not be listed: ${unknown.map((u) => `pool ${u.pool}`).join(', ')}` : null;
  return {
    time,
    verdict: failed || unknownError ? 'failed' : 'ok',
    head: outcome.state.snapshot.head || null,
    desired_commit: outcome.state.desired.commit ?? null,
    plan: summaryLine(outcome.plan),
    actions: { ok: count('ok'), failed: count('failed'), skipped: count('skipped') },
    status: p ? { changed: p.changed, commit: p.commit ?? null, pushed: p.pushed, attempts: p.attempts } : null,
    warnings: outcome.plan.warnings,
    error: failed ? `${count('failed')} action(s) failed: ${results.find((r) => r.result === 'failed')?.message ?? ''}` : unknownError,
  };
}

/** The pass as one readable line. */
function line(r: PassRecord): string {
  const parts = [r.time];
  if (r.desired_commit) parts.push(`desired ${r.desired_commit.slice(0, 7)}`);
  if (r.plan) parts.push(r.plan.replace(/\.$/, ''));
  if (r.actions.ok + r.actions.failed + r.actions.skipped > 0) parts.push(`${r.actions.ok} ok, ${r.actions.failed} failed, ${r.actions.skipped} skipped`);
  if (r.status) {
    parts.push(
      !r.status.changed
        ? 'status unchanged'
        : r.status.commit
          ? `status ${r.status.pushed ? 'pushed' : 'committed'} as ${r.status.commit.slice(0, 7)}${r.status.attempts > 1 ? ` after ${r.status.attempts} attempts` : ''}`
          : 'status written',
    );
  }
  if (r.warnings.length > 0) parts.push(`${r.warnings.length} warning${r.warnings.length > 1 ? 's' : ''}`);
  if (r.error) parts.push(r.verdict === 'failed' ? `error: ${r.error}` : r.error);
  if (r.next_pass_ms !== undefined) parts.push(`next pass in ${formatDuration(r.next_pass_ms)}`);
  return parts.join(' | ');
}
