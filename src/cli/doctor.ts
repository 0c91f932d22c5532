/**
 * `navarch doctor`: checks what navarch needs from outside before a plan or an apply depends on it,
 * and says what to fix: each provider's credentials and listing, the control plane's URL and admin
 * token, and (with --repo) fetch and push access to the config repository. Exit 1 when a check fails.
 * The checks themselves (doctor-checks.ts, which loads the engine, providers and git) are imported
 * only when the command runs.
 */
import type { Command } from 'commander';
import { EXIT, NavarchError, outputFormat, parseDuration } from '../model/index.js';
import { colorEnabled, colors, type CliContext, type Colors } from './context.js';
import type { Check } from './doctor-checks.js';
import { gitTarget, withRepo, type GitOptions } from './git-options.js';
import { withColor, withDir, withOutput } from './options.js';
import { cliLogger, resolveDir, type DirOptions } from './shared.js';

interface DoctorOptions extends DirOptions, GitOptions {
  timeout: string;
}

const LABELS: Record<Check['check'], string> = {
  config: 'config',
  provider: 'provider',
  control_plane: 'control plane',
  git_fetch: 'git fetch',
  git_push: 'git push',
};

function render(checks: readonly Check[], c: Colors): string {
  const mark = { ok: c.green('ok  '), fail: c.red(c.bold('FAIL')), skip: c.dim('skip') };
  const width = Math.max(...checks.map((k) => LABELS[k.check].length));
  const lines = checks.flatMap((k) => [
    `${mark[k.status]}  ${LABELS[k.check].padEnd(width)}  ${k.name === '-' ? '' : `${k.name}: `}${k.detail}`,
    ...(k.credentials !== undefined ? [`      ${' '.repeat(width)}  credentials: ${k.credentials}`] : []),
    ...(k.fix !== undefined && k.status === 'fail' ? [`      ${' '.repeat(width)}  ${c.yellow(`fix: ${k.fix}`)}`] : []),
  ]);
  const failed = checks.filter((k) => k.status === 'fail').length;
  const end = failed === 0 ? c.green('Everything navarch needs answered.') : c.red(`${failed} check${failed === 1 ? '' : 's'} failed.`);
  return `${lines.join('\n')}\n\n${end}\n`;
}

export function registerDoctor(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('doctor')
    .description("Check each provider's credentials and listing, the control plane URL and token, and the git remote; say what to fix")
    .option('--timeout <duration>', 'how long each check may take', '20s')
    .addHelpText(
      'after',
      '\nThe control plane is control_plane.url of navarch.yaml, or NAVARCH_SERVER; its admin token NAVARCH_AUTH_TOKEN.\n' +
        'With --repo, checks that the repository can be fetched and pushed to, then reads the config from it.\n' +
        'Exits 1 when any check fails. No secret is printed: credentials are named by where they come from.\n' +
        'JSON: {"ok", "checks": [{check, name, status, detail, credentials, fix}]}.',
    );
  withRepo(withColor(withOutput(withDir(cmd)))).action(async (opts: DoctorOptions, command: Command) => {
    const timeoutMs = parseDuration(opts.timeout);
    if (timeoutMs === undefined || timeoutMs <= 0) throw new NavarchError('cli.invalid', `--timeout must be a duration such as 10s or 1m, not "${opts.timeout}"`);
    const logger = cliLogger(ctx);
    const target = await gitTarget(ctx, command, { ...opts, commit: false }, logger);
    const { runChecks } = await import('./doctor-checks.js');
    const checks = await runChecks(ctx, { dir: resolveDir(ctx, opts.dir), target, repo: opts.repo, timeoutMs, logger });
    const ok = checks.every((k) => k.status !== 'fail');
    ctx.exitCode = ok ? EXIT.ok : EXIT.error;
    if (outputFormat(opts) === 'json') ctx.stdout.write(`${JSON.stringify({ ok, checks }, null, 2)}\n`);
    else ctx.stdout.write(render(checks, colors(colorEnabled(ctx, opts))));
  });
}
