/**
 * One remote config repository over smart HTTP, cached in a bare git directory: fetch a branch or
 * any ref, list refs, and push with compare-and-swap semantics (the push names the value it
 * expects the remote ref to have, and is refused if the ref moved).
 */
import * as fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { git, http } from './iso.js';
import { retry, type Clock } from '../model/index.js';
import type { GitAuth } from './auth.js';
import { GitError, isPushRejection, isTransientGitError, PushRejectedError, translateGitError } from './errors.js';
import { namedRefHttp } from './named-ref-http.js';
import { gitStore, setRef, type GitStore } from './objects.js';

const ZERO = '0000000000000000000000000000000000000000';

export interface GitRemoteOptions {
  /** Credential-free URL. */
  url: string;
  auth: GitAuth;
  /** Bare git directory of the cache entry (created when missing). */
  gitdir: string;
  clock: Clock;
  signal?: AbortSignal;
  /** The remote's name in the git directory's config (default `origin`). */
  remoteName?: string;
  /** An object store to share (default: a new one over `gitdir`). */
  store?: GitStore;
}

/** A fetched branch: its full name and the commit it pointed at. */
export interface FetchedBranch {
  branch: string;
  oid: string;
}

export class GitRemote {
  readonly url: string;
  readonly store: GitStore;
  private readonly auth: GitAuth;
  private readonly clock: Clock;
  private readonly signal: AbortSignal | undefined;
  private readonly remoteName: string;

  private constructor(opts: GitRemoteOptions) {
    this.url = opts.url;
    this.remoteName = opts.remoteName ?? 'origin';
    this.auth = opts.auth;
    this.clock = opts.clock;
    this.signal = opts.signal;
    this.store = opts.store ?? gitStore(opts.gitdir);
  }

  /** Opens (creating when needed) the cache's bare git directory for `url`. */
  static async open(opts: GitRemoteOptions): Promise<GitRemote> {
    if (!fs.existsSync(`${opts.gitdir}/HEAD`)) {
      await mkdir(opts.gitdir, { recursive: true });
      await git.init({ fs, gitdir: opts.gitdir, bare: true, defaultBranch: 'main' });
    }
    // The fetch refspec must exist for isomorphic-git to record remote branches.
    await git.setConfig({ fs, gitdir: opts.gitdir, path: 'remote.origin.url', value: opts.url });
    await git.setConfig({ fs, gitdir: opts.gitdir, path: 'remote.origin.fetch', value: '+refs/heads/*:refs/remotes/origin/*' });
    return new GitRemote(opts);
  }

  /** Uses an existing repository's git directory as is (a working clone: its config is not touched). */
  static attach(opts: GitRemoteOptions): GitRemote {
    return new GitRemote(opts);
  }

  /** The private ref that remembers what was last fetched of `remoteRef` (never a branch of the user's). */
  private fetchedRef(remoteRef: string): string {
    return `refs/navarch/fetched/${remoteRef.replace(/^refs\//, '')}`;
  }

  /** Network calls are retried a few times on connection errors and 5xx answers. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await retry(fn, { clock: this.clock, attempts: 3, baseMs: 500, maxMs: 4_000, signal: this.signal, shouldRetry: isTransientGitError });
    } catch (err) {
      throw translateGitError(err, what, this.url);
    }
  }

  /**
   * Fetches `branch` (the remote's default branch when undefined) and returns the commit it points
   * at. History is fetched in full: the desired commit is found by walking it.
   */
  async fetchBranch(branch: string | undefined): Promise<FetchedBranch> {
    const remoteRef = branch ? (branch.startsWith('refs/') ? branch : `refs/heads/${branch}`) : 'HEAD';
    const what = branch ? `fetch of branch ${branch}` : 'fetch of the default branch';
    let result;
    try {
      result = await this.call(what, () => this.fetchOne(remoteRef));
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      if (cause?.code === 'NotFoundError') {
        const message = branch
          ? `${this.url} has no branch "${branch}"; check --ref`
          : `the default branch of ${this.url} (its HEAD) names a branch that does not exist; name the branch with --ref, or set the repository's default branch`;
        throw new GitError('git.ref-not-found', message, { cause: err, details: { url: this.url, ref: remoteRef } });
      }
      throw err;
    }
    if (!result.fetchHead) {
      throw new GitError('git.empty', `${this.url} has no commits yet; push a navarch.yaml to it first`, { details: { url: this.url } });
    }
    const full = branch ? remoteRef : (result.defaultBranch ?? 'refs/heads/main');
    await setRef(this.store, this.fetchedRef(remoteRef), result.fetchHead);
    if (full !== remoteRef) await setRef(this.store, this.fetchedRef(full), result.fetchHead);
    return { branch: full.replace(/^refs\/heads\//, ''), oid: result.fetchHead };
  }

  /** The remote's value of `ref`, or undefined when it does not exist (one request). */
  async lsRef(ref: string): Promise<string | undefined> {
    const refs = await this.call(`listing ${ref}`, () =>
      git.listServerRefs({ http, url: this.url, headers: this.auth.headers(), prefix: ref, protocolVersion: 2 }),
    );
    return refs.find((r) => r.ref === ref)?.oid;
  }

  /** Fetches `ref` (not a branch) and returns its commit, or undefined when it does not exist. */
  async fetchRef(ref: string): Promise<string | undefined> {
    const oid = await this.lsRef(ref);
    if (oid === undefined) return undefined;
    if (!(await this.has(oid))) {
      await this.call(`fetch of ${ref}`, () => this.fetchOne(ref));
    }
    await setRef(this.store, this.fetchedRef(ref), oid);
    return oid;
  }

  /** Fetches one remote ref into its local tracking ref (a fresh headers object each time: isomorphic-git mutates it). */
  private fetchOne(remoteRef: string): ReturnType<typeof git.fetch> {
    return git.fetch({
      fs,
      // Only the default branch depends on the remote's HEAD; a named ref must not (named-ref-http.ts).
      http: remoteRef === 'HEAD' ? http : namedRefHttp(http, remoteRef),
      gitdir: this.store.gitdir,
      cache: this.store.cache,
      url: this.url,
      remote: this.remoteName,
      ref: this.fetchedRef(remoteRef),
      remoteRef,
      singleBranch: true,
      tags: false,
      headers: this.auth.headers(),
    });
  }

  /** Whether the object is in the cache. */
  async has(oid: string): Promise<boolean> {
    try {
      await git.readObject({ fs, gitdir: this.store.gitdir, oid, cache: this.store.cache, format: 'deflated' });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Sets remote `ref` to `oid` only if it is still `expected` (undefined: only if it does not exist).
   * Throws PushRejectedError when the ref moved; never forces.
   */
  async push(ref: string, oid: string, expected: string | undefined): Promise<void> {
    const local = `refs/navarch/push/${ref.replace(/^refs\//, '')}`;
    await setRef(this.store, local, oid);
    await this.send(`push of ${ref}`, ref, expected, { ref: local });
  }

  /** Deletes remote `ref` only if it still points at `expected`. */
  async delete(ref: string, expected: string): Promise<void> {
    const local = `refs/navarch/push/${ref.replace(/^refs\//, '')}`;
    await setRef(this.store, local, expected);
    await this.send(`deletion of ${ref}`, ref, expected, { ref: local, delete: true });
  }

  private async send(what: string, remoteRef: string, expected: string | undefined, args: { ref: string; delete?: boolean }): Promise<void> {
    try {
      await this.call(what, () =>
        git.push({
          fs,
          http,
          gitdir: this.store.gitdir,
          cache: this.store.cache,
          url: this.url,
          remoteRef,
          headers: this.auth.headers(),
          ...args,
          // The compare half of compare-and-swap: the server then refuses the update unless the
          // ref still has the value it advertised, which we have just checked is the one expected.
          onPrePush: ({ remoteRef: seen }) => seen.oid === (expected ?? ZERO),
        }),
      );
    } catch (err) {
      if (err instanceof PushRejectedError || !isPushRejection((err as { cause?: unknown }).cause)) throw err;
      throw new PushRejectedError(what, this.url, 'the remote ref moved', err);
    }
  }
}
