/**
 * The GitHub REST client navarch uses: octokit pointed at `GITHUB_API_URL` (so GitHub Enterprise
 * Server works as github.com does), with the token registered for redaction before the first
 * request, and failures turned into messages that say which permission a workflow lacks.
 */
import { Octokit } from '@octokit/rest';
import { NavarchError, redact, registerSecret } from '../model/index.js';

/** A repository on the GitHub host, from `GITHUB_REPOSITORY` (`owner/name`). */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** The octokit instance navarch talks through. */
export type GitHub = Octokit;

/** Where log lines from octokit go (deprecations, warnings); each is redacted first. */
export interface GitHubLog {
  warn(message: string): void;
}

/** Options of `createGitHub`. */
export interface GitHubOptions {
  token: string;
  /** REST API root, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  baseUrl: string;
  userAgent: string;
  log?: GitHubLog;
}

/** Builds the client. The token never leaves this object except in the Authorization header. */
export function createGitHub(opts: GitHubOptions): GitHub {
  registerSecret(opts.token);
  const warn = (message: string): void => opts.log?.warn(redact(message));
  return new Octokit({
    auth: opts.token,
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    userAgent: opts.userAgent,
    log: { debug: () => undefined, info: () => undefined, warn, error: warn },
  });
}

/** Parses `owner/name`; throws a clear error for anything else. */
export function parseRepository(full: string | undefined): RepoRef {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full ?? '');
  if (!m?.[1] || !m[2]) {
    throw new NavarchError('github.context', `GITHUB_REPOSITORY must be "owner/name", not ${JSON.stringify(full ?? '')}; is this running on GitHub Actions?`);
  }
  return { owner: m[1], repo: m[2] };
}

const HINTS: Record<number, string> = {
  401: 'the token was refused; check the github-token input',
  403: 'the token may not do this; give the workflow the permissions it needs (pull-requests: write and issues: write for comments and issues, contents: write to push the status)',
  404: 'not found, or the token cannot see it; check the repository and the workflow permissions',
  422: 'GitHub refused the request as invalid',
};

/**
 * Rewraps an octokit failure as a NavarchError naming what was being done, the HTTP status and a
 * hint; the token is never part of it (octokit keeps it out of messages, and redaction is applied
 * on top).
 */
export function githubError(what: string, err: unknown): NavarchError {
  if (err instanceof NavarchError) return err;
  const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const hint = status !== undefined ? HINTS[status] : undefined;
  const text = `GitHub API: ${what} failed${status !== undefined ? ` (HTTP ${status})` : ''}: ${message}${hint ? ` (${hint})` : ''}`;
  return new NavarchError('github.request', text, { cause: err, ...(status !== undefined ? { details: { status } } : {}) });
}

/** Runs one GitHub call, rewrapping its failure with `githubError`. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw githubError(what, err);
  }
}
