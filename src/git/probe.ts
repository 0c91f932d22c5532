/**
 * What a remote lets the credentials navarch would use do, found the way `git ls-remote` does: ref
 * discovery for fetching (upload-pack) and for pushing (receive-pack). Nothing is fetched or pushed;
 * a host that lets a token read but not write refuses the second.
 */
import { git, http } from './iso.js';
import { parseRemote, type GitAuth } from './auth.js';
import { translateGitError } from './errors.js';
import type { NavarchError } from '../model/index.js';

/** One capability: allowed, or refused with the error that says what to do. */
export type Access = { ok: true } | { ok: false; error: NavarchError };

export interface RemoteAccess {
  /** The credential-free URL. */
  url: string;
  /** Where the token came from (never the token). */
  credentials: GitAuth['source'];
  /** Whether refs can be listed for fetching, and how many branches there are. */
  fetch: Access & { branches?: number };
  push: Access;
}

async function attempt(what: string, url: string, fn: () => Promise<unknown>): Promise<Access> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: translateGitError(err, what, url) };
  }
}

/** Checks fetch and push access to the remote `raw` (an https URL, credentials from it or the environment). */
export async function probeRemote(raw: string, env: Readonly<Record<string, string | undefined>>): Promise<RemoteAccess> {
  const { url, auth } = parseRemote(raw, env);
  let branches = 0;
  const fetch = await attempt('fetch', url, async () => {
    const refs = await git.listServerRefs({ http, url, headers: auth.headers(), prefix: 'refs/heads/', protocolVersion: 2 });
    branches = refs.length;
  });
  const push = await attempt('push', url, () => git.getRemoteInfo2({ http, url, headers: auth.headers(), forPush: true, protocolVersion: 1 }));
  return { url, credentials: auth.source, fetch: fetch.ok ? { ok: true, branches } : fetch, push };
}
