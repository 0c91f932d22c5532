/**
 * Git failures as navarch reports them: a stable code, a message that names the repository by its
 * credential-free URL, and what to do next. isomorphic-git's own errors are translated here.
 */
import { NavarchError } from '../model/index.js';

/** A git operation failed (`git.auth`, `git.not-found`, `git.network`, `git.push-rejected`, ...). */
export class GitError extends NavarchError {}

/** The push was refused because the remote ref moved (not a fast-forward, or the compare-and-swap failed). */
export class PushRejectedError extends GitError {
  /** `what` names the operation, e.g. `push of refs/heads/main`. */
  constructor(what: string, url: string, reason: string, cause?: unknown) {
    super('git.push-rejected', `${what} to ${url} was rejected: ${reason}`, {
      details: { reason },
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

interface IsoGitError {
  code?: string;
  message?: string;
  data?: { statusCode?: number; reason?: string; what?: string; result?: { refs?: Record<string, { ok: boolean; error: string }> } };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** Whether an error is worth another try as is (network trouble, a server error). */
export function isTransientGitError(err: unknown): boolean {
  if (err instanceof GitError) return err.code === 'git.network';
  const e = err as IsoGitError | null;
  if (!e) return false;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  const status = e.data?.statusCode;
  return e.code === 'HttpError' && status !== undefined && (status >= 500 || status === 429);
}

/** Whether `err` says a push lost a race (the ref moved under it). */
export function isPushRejection(err: unknown): boolean {
  if (err instanceof PushRejectedError) return true;
  const e = err as IsoGitError | null;
  return e?.code === 'PushRejectedError' || e?.code === 'GitPushError' || e?.code === 'UserCanceledError';
}

/**
 * Translates an isomorphic-git (or network) error into a GitError naming `url` (already
 * credential-free) and the operation. NavarchErrors pass through unchanged.
 */
export function translateGitError(err: unknown, what: string, url: string): NavarchError {
  if (err instanceof NavarchError) return err;
  const e = (err ?? {}) as IsoGitError;
  const status = e.data?.statusCode;
  if (e.code === 'HttpError' && (status === 401 || status === 403)) {
    return new GitError(
      'git.auth',
      `${what}: ${url} refused the credentials (HTTP ${status}). Set NAVARCH_GIT_TOKEN (or GITHUB_TOKEN) to a token that can ${what.startsWith('push') ? 'push to' : 'read'} it.`,
      { cause: err, details: { url, status } },
    );
  }
  if (e.code === 'HttpError' && status === 404) {
    return new GitError('git.not-found', `${what}: no repository at ${url} (HTTP 404); check --repo, and that the token can see it`, {
      cause: err,
      details: { url, status },
    });
  }
  if (e.code === 'HttpError') {
    return new GitError('git.network', `${what}: ${url} answered HTTP ${status ?? '?'}`, { cause: err, details: { url, status } });
  }
  if (e.code && NETWORK_CODES.has(e.code)) {
    return new GitError('git.network', `${what}: cannot reach ${url} (${e.code})`, { cause: err, details: { url } });
  }
  if (e.code === 'PushRejectedError' || e.code === 'GitPushError' || e.code === 'UserCanceledError') {
    const refs = e.data?.result?.refs ?? {};
    const reason = Object.values(refs).find((r) => !r.ok)?.error ?? e.data?.reason ?? 'the remote ref moved';
    return new PushRejectedError(what, url, reason, err);
  }
  return new GitError('git.failed', `${what} (${url}): ${e.message ?? String(err)}`, { cause: err, details: { url } });
}
