/**
 * The local cache of remote config repositories: one bare git directory per remote URL, plus a
 * work directory for local state that must outlive a run (the fake cloud's file, capacity memory).
 * Processes on one machine share a cache; a short file lock serialises their git writes.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { withFileLock } from './cache-lock.js';

/** `$XDG_CACHE_HOME/navarch`, else `~/.cache/navarch`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && xdg.trim() !== '') return join(resolve(xdg), 'navarch');
  return join(env['HOME'] ?? homedir(), '.cache', 'navarch');
}

/** Where one remote lives in the cache. */
export interface RepoCache {
  /** Directory of this remote's cache entry. */
  dir: string;
  /** The bare git directory. */
  gitdir: string;
  /** Local state kept between runs (what `--dir` keeps beside the config). */
  workdir: string;
}

/** The cache entry of a credential-free URL: a readable name plus a hash, so two URLs never share one. */
export function repoCache(cacheDir: string, url: string): RepoCache {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 10);
  const readable = url
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\.git\/?$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-60);
  const dir = join(resolve(cacheDir), 'repos', `${readable}-${hash}`);
  return { dir, gitdir: join(dir, 'git'), workdir: join(dir, 'work') };
}

/**
 * Runs `fn` holding the cache entry's lock (see cache-lock.ts). Held for seconds (a fetch, a
 * commit), never across an apply.
 */
export async function withCacheLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dir, { recursive: true });
  return withFileLock(join(dir, 'cache.lock'), fn);
}
