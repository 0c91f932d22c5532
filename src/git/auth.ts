/**
 * Credentials for a remote: a token from the URL, `NAVARCH_GIT_TOKEN`, or `GITHUB_TOKEN`, in that
 * order. The token is registered as a secret the moment it is read, so it is scrubbed from every
 * log line, message, plan and status; URLs are only ever shown without their credentials.
 */
import { NavarchError, registerSecret } from '../model/index.js';

/** How requests to one remote authenticate. */
export interface GitAuth {
  /** Request headers for one call (a fresh object each time: isomorphic-git mutates it). */
  headers(): Record<string, string>;
  /** Where the token came from, for messages (never the token itself). */
  readonly source: 'url' | 'NAVARCH_GIT_TOKEN' | 'GITHUB_TOKEN' | 'none';
}

/** A remote URL split into what may be shown and the credentials it carried. */
export interface ParsedRemote {
  /** The URL without user name or password: safe to print, log and use as a cache key. */
  url: string;
  auth: GitAuth;
}

/** `url` with any `user:password@` removed; non-URL text is returned unchanged. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//');
  }
}

/** Parses `--repo URL` and picks its credentials from the URL or the environment. */
export function parseRemote(raw: string, env: Readonly<Record<string, string | undefined>>): ParsedRemote {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new NavarchError('cli.invalid', `--repo must be an http(s) URL such as https://github.com/org/fleet.git, not "${safeUrl(raw)}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new NavarchError(
      'cli.invalid',
      `--repo ${safeUrl(raw)}: navarch talks to git hosts over HTTP(S) only; use the https:// clone URL (ssh is not supported)`,
    );
  }
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  registerSecret(password);
  const url = safeUrl(raw);
  if (password) return { url, auth: basicAuth(user || 'x-access-token', password, 'url') };
  for (const name of ['NAVARCH_GIT_TOKEN', 'GITHUB_TOKEN'] as const) {
    const token = env[name]?.trim();
    if (token) {
      registerSecret(token);
      return { url, auth: basicAuth(user || 'x-access-token', token, name) };
    }
  }
  return { url, auth: { source: 'none', headers: () => ({}) } };
}

function basicAuth(user: string, token: string, source: GitAuth['source']): GitAuth {
  // HTTP Basic with the token as password works on GitHub, GitLab, Gitea and Bitbucket alike.
  const value = `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  registerSecret(value.slice(6));
  return { source, headers: () => ({ Authorization: value }) };
}
