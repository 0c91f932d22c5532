/**
 * The checks of `navarch doctor`: each configured provider's credentials and listing, the control
 * plane's URL and admin token, and the git remote. Each check says what it found and, when it
 * fails, what to fix; none prints a secret (credentials are named by where they come from).
 */
import { loadWorkspaceDesired, readTarget } from '../engine/index.js';
import { probeRemote, safeUrl, type ConfigTarget } from '../git/index.js';
import type { Logger } from '../log/index.js';
import { asNavarchError, ConfigError, formatDiagnostic, formatDuration, ProviderError, type DesiredFleet, type NavarchError, type ProviderConfig } from '../model/index.js';
import { fleetFilter } from '../observe/index.js';
import { createProvider, credentialSource } from '../providers/index.js';
import type { CliContext } from './context.js';

export type CheckStatus = 'ok' | 'fail' | 'skip';

/** One line of the report (also its `--json` form, whose keys are these, in snake_case). */
export interface Check {
  /** What kind of thing was checked. */
  check: 'config' | 'provider' | 'control_plane' | 'git_fetch' | 'git_push';
  /** Which one: a provider's name, a URL, the repository. */
  name: string;
  status: CheckStatus;
  /** What was found, in words. */
  detail: string;
  /** Where the credentials used come from (never the credentials themselves). */
  credentials?: string;
  /** What to do about a failure. */
  fix?: string;
}

export interface DoctorInput {
  /** The config's directory, or the remote target when `--repo` was given. */
  dir: string;
  target: ConfigTarget | undefined;
  repo: string | undefined;
  timeoutMs: number;
  logger: Logger;
}

/** Rejects with the signal's reason when it aborts, even if `p` never settles (a call that ignores its signal). */
function within<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

const PROVIDER_FIXES: Record<string, (credentials: string) => string> = {
  auth: (c) => `the cloud refused the credentials; they come from ${c}: check them, their account or project, and their permissions to list instances`,
  throttled: () => 'the cloud is throttling these calls: try again in a minute',
  invalid: () => "fix the provider's settings in navarch.yaml (region, project, endpoint)",
  'not-found': () => "fix the provider's settings in navarch.yaml (region, project, endpoint)",
};

async function providerCheck(ctx: CliContext, desired: DesiredFleet, config: ProviderConfig, input: DoctorInput): Promise<Check> {
  const base = { check: 'provider' as const, name: `${config.name} (${config.type})` };
  const pctx = { root: desired.root, env: ctx.env, clock: ctx.clock, logger: input.logger };
  const credentials = await credentialSource(config, pctx);
  const signal = AbortSignal.timeout(input.timeoutMs);
  try {
    const provider = await createProvider(config, pctx);
    const instances = await within(provider.list(fleetFilter(desired.fleet), signal), signal);
    const n = instances.length;
    return { ...base, status: 'ok', credentials, detail: `listed ${n} instance${n === 1 ? '' : 's'} of fleet "${desired.fleet}"` };
  } catch (err) {
    if (isTimeout(err)) {
      return {
        ...base,
        status: 'fail',
        credentials,
        detail: `listing did not finish within ${formatDuration(input.timeoutMs)}`,
        fix: "check the network path to the cloud's API (a proxy, a firewall, the endpoint in navarch.yaml), or give it longer with --timeout",
      };
    }
    const e = asNavarchError(err);
    const cls = e instanceof ProviderError ? e.errorClass : 'invalid';
    const fix = PROVIDER_FIXES[cls]?.(credentials) ?? "check the network path to the cloud's API and try again";
    return { ...base, status: 'fail', credentials, detail: e.message, fix };
  }
}

const TLS_CODE = /CERT|SSL|TLS|EPROTO|UNABLE_TO_|SELF_SIGNED/;

/** What went wrong on the way to a URL: its error code, and whether that is TLS. */
function transportError(err: unknown): { code: string; tls: boolean; message: string } {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : isTimeout(err) ? 'timeout' : typeof cause?.message === 'string' ? cause.message : 'error';
  const message = typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  return { code, tls: TLS_CODE.test(code), message };
}

async function get(url: string, timeoutMs: number, token?: string): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: token ? { authorization: `Bearer ${token}` } : {} });
  await res.body?.cancel();
  return res.status;
}

/** GET /healthz, then an admin GET with NAVARCH_AUTH_TOKEN: unreachable, TLS error, refused token, or ok. */
async function controlPlaneCheck(ctx: CliContext, desired: DesiredFleet | undefined, timeoutMs: number): Promise<Check> {
  const fromEnv = ctx.env['NAVARCH_SERVER']?.trim();
  const fromConfig = desired?.controlPlane?.['url'];
  const raw = fromEnv || (typeof fromConfig === 'string' ? fromConfig : undefined);
  if (!raw) {
    return { check: 'control_plane', name: '-', status: 'skip', detail: 'no control plane configured (control_plane.url in navarch.yaml, or NAVARCH_SERVER)' };
  }
  const where = fromEnv ? 'NAVARCH_SERVER' : 'control_plane.url';
  const base = { check: 'control_plane' as const, name: raw.replace(/\/+$/, '') };
  const token = ctx.env['NAVARCH_AUTH_TOKEN']?.trim() || undefined;
  const credentials = token ? 'NAVARCH_AUTH_TOKEN in the environment' : 'none (NAVARCH_AUTH_TOKEN is not set)';
  let health: number;
  try {
    health = await get(`${base.name}/healthz`, timeoutMs);
  } catch (err) {
    const t = transportError(err);
    if (t.tls) {
      return {
        ...base,
        status: 'fail',
        credentials,
        detail: `TLS failed (${t.code}): ${t.message}`,
        fix: `check that the URL's host is one the certificate names; for a self-signed certificate or a private CA, run with NODE_EXTRA_CA_CERTS=<its CA file>; for a control plane without TLS, use http:// in ${where}`,
      };
    }
    return {
      ...base,
      status: 'fail',
      credentials,
      detail: `cannot reach it (${t.code === 'timeout' ? `no answer within ${formatDuration(timeoutMs)}` : t.code})`,
      fix: `check that navarch serve runs there and that ${where} is the address this machine reaches it at`,
    };
  }
  if (health !== 200) {
    return { ...base, status: 'fail', credentials, detail: `/healthz answered HTTP ${health}`, fix: 'it is not a healthy navarch control plane: check its logs, and the URL' };
  }
  if (!token) {
    return { ...base, status: 'fail', credentials, detail: 'reachable; no admin token to check', fix: "set NAVARCH_AUTH_TOKEN to the control plane's admin token" };
  }
  let admin: number;
  try {
    admin = await get(`${base.name}/v1/nodes`, timeoutMs, token);
  } catch (err) {
    return { ...base, status: 'fail', credentials, detail: `the admin API did not answer (${transportError(err).code})`, fix: 'check the control plane and try again' };
  }
  if (admin === 401 || admin === 403) {
    return { ...base, status: 'fail', credentials, detail: `reachable; the admin token was refused (HTTP ${admin})`, fix: 'NAVARCH_AUTH_TOKEN must be the admin token navarch serve was started with' };
  }
  if (admin !== 200) return { ...base, status: 'fail', credentials, detail: `the admin API answered HTTP ${admin}`, fix: 'check the control plane logs' };
  return { ...base, status: 'ok', credentials, detail: `reachable (${where}); admin token accepted` };
}

async function remoteChecks(ctx: CliContext, repo: string | undefined, timeoutMs: number): Promise<Check[]> {
  if (repo === undefined) return [{ check: 'git_fetch', name: '-', status: 'skip', detail: 'no --repo given' }];
  let access: Awaited<ReturnType<typeof probeRemote>>;
  try {
    access = await within(probeRemote(repo, ctx.env), AbortSignal.timeout(timeoutMs));
  } catch (err) {
    if (!isTimeout(err)) throw err;
    const detail = `no answer within ${formatDuration(timeoutMs)}`;
    const fix = 'check the URL and the network path to the git host, or give it longer with --timeout';
    return [
      { check: 'git_fetch', name: safeUrl(repo), status: 'fail', detail, fix },
      { check: 'git_push', name: safeUrl(repo), status: 'fail', detail, fix },
    ];
  }
  const credentials = access.credentials === 'none' ? 'none (no token in the URL, NAVARCH_GIT_TOKEN or GITHUB_TOKEN)' : access.credentials === 'url' ? 'the token in the URL' : `${access.credentials} in the environment`;
  const base = { name: access.url, credentials };
  const fix = (e: NavarchError): string => (e.code === 'git.auth' ? 'set NAVARCH_GIT_TOKEN (or GITHUB_TOKEN) to a token with the access named above' : e.code === 'git.not-found' ? 'check the --repo URL, and that the token can see the repository' : 'check the URL and the network path to the git host');
  return [
    access.fetch.ok
      ? { ...base, check: 'git_fetch', status: 'ok', detail: `can fetch (${access.fetch.branches ?? 0} branches)` }
      : { ...base, check: 'git_fetch', status: 'fail', detail: access.fetch.error.message, fix: fix(access.fetch.error) },
    access.push.ok
      ? { ...base, check: 'git_push', status: 'ok', detail: 'can push (the status file is committed back here)' }
      : { ...base, check: 'git_push', status: 'fail', detail: access.push.error.message, fix: fix(access.push.error) },
  ];
}

/** Reads the config: from the target (`--repo`) or the directory. A config that cannot be read is a failed check. */
async function configCheck(input: DoctorInput): Promise<{ check: Check; desired: DesiredFleet | undefined }> {
  try {
    const read = input.target ? readTarget(input.target).then((t) => t.desired) : loadWorkspaceDesired({ source: input.dir });
    const desired = await within(read, AbortSignal.timeout(input.timeoutMs));
    const providers = Object.keys(desired.providers).length;
    return {
      desired,
      check: { check: 'config', name: input.repo ?? input.dir, status: 'ok', detail: `fleet "${desired.fleet}": ${providers} provider${providers === 1 ? '' : 's'}, ${desired.pools.length} pool${desired.pools.length === 1 ? '' : 's'}` },
    };
  } catch (err) {
    if (isTimeout(err)) return { desired: undefined, check: { check: 'config', name: input.repo ?? input.dir, status: 'fail', detail: `not read within ${formatDuration(input.timeoutMs)}`, fix: 'give it longer with --timeout' } };
    const e = asNavarchError(err);
    const detail = e instanceof ConfigError ? e.diagnostics.slice(0, 3).map(formatDiagnostic).join('; ') : e.message;
    // Anything but bad config means there was no config to read where navarch looked.
    const fix = e instanceof ConfigError ? 'run navarch validate and fix what it reports' : 'run navarch doctor in the config repository (or give --dir or --repo)';
    return { desired: undefined, check: { check: 'config', name: input.repo ?? input.dir, status: 'fail', detail, fix } };
  }
}

/** Runs every check; providers are checked side by side, each within the timeout. */
export async function runChecks(ctx: CliContext, input: DoctorInput): Promise<Check[]> {
  // The remote is probed first: reading the config from it would fail the same way, less clearly.
  const remote = await remoteChecks(ctx, input.repo, input.timeoutMs);
  const readable = input.repo === undefined || remote[0]?.status === 'ok';
  const config = readable
    ? await configCheck(input)
    : { desired: undefined, check: { check: 'config', name: input.repo ?? input.dir, status: 'skip', detail: 'not read: the repository cannot be fetched' } satisfies Check };
  const providers = config.desired
    ? await Promise.all(Object.keys(config.desired.providers).sort().map((name) => providerCheck(ctx, config.desired as DesiredFleet, config.desired?.providers[name] as ProviderConfig, input)))
    : [];
  const controlPlane = await controlPlaneCheck(ctx, config.desired, input.timeoutMs);
  return [config.check, ...providers, controlPlane, ...remote];
}
