/**
 * Local mode (`--dir DIR --commit`): the config is a working clone on disk. navarch commits the
 * status file on the checked-out branch, touching nothing else in the index or the working tree,
 * and can push that branch to its upstream.
 */
import * as fs from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { git } from './iso.js';
import { checkDirectory } from '../config/index.js';
import { type Clock } from '../model/index.js';
import { parseRemote, safeUrl } from './auth.js';
import type { GitAuthor } from './author.js';
import { GitError } from './errors.js';
import { configCommit, entryAt, gitStore, readCommitData, type GitStore } from './objects.js';
import { commitFile } from './publish.js';
import { GitRemote } from './remote.js';

/** Config files whose uncommitted edits would make a recorded desired commit a lie. */
const CONFIG_PATHS = ['navarch.yaml', 'pools', 'jobs'];

export class LocalRepo {
  readonly store: GitStore;

  private constructor(
    /** The working tree's root. */
    readonly root: string,
    /** The config directory relative to the root (`''` when they are the same), `/`-separated. */
    readonly prefix: string,
  ) {
    this.store = gitStore(resolve(root, '.git'));
  }

  /** The git working clone holding `dir`; throws `git.not-a-repo` when there is none. */
  static async open(dir: string): Promise<LocalRepo> {
    const abs = resolve(dir);
    await checkDirectory(abs);
    let root: string;
    try {
      root = await git.findRoot({ fs, filepath: abs });
    } catch (err) {
      throw new GitError('git.not-a-repo', `${dir} is not inside a git repository; --commit needs one (git init, or clone the config repo)`, {
        cause: err,
      });
    }
    if (!fs.statSync(resolve(root, '.git')).isDirectory()) {
      throw new GitError('git.unsupported', `${root} is a linked worktree or submodule (.git is a file); run from the main clone`);
    }
    return new LocalRepo(root, relative(root, abs).split(sep).join('/'));
  }

  /** Repository-relative path of a config-relative path. */
  path(configPath: string): string {
    return this.prefix ? `${this.prefix}/${configPath}` : configPath;
  }

  /** The checked-out branch, e.g. `main`; throws when HEAD is detached. */
  async branch(): Promise<string> {
    const name = await git.currentBranch({ fs, gitdir: this.store.gitdir, fullname: false });
    if (!name) throw new GitError('git.detached', `HEAD of ${this.root} is detached; check out the branch the status should be committed on`);
    return name;
  }

  async head(): Promise<string> {
    return git.resolveRef({ fs, gitdir: this.store.gitdir, ref: 'HEAD' });
  }

  /** The commit the config on disk is, provided it has no uncommitted edits (else `git.dirty`). */
  async desiredCommit(statusFile: string): Promise<string> {
    const rows = await git.statusMatrix({ fs, dir: this.root, gitdir: this.store.gitdir, cache: this.store.cache, filepaths: CONFIG_PATHS.map((p) => this.path(p)) });
    const dirty = rows.filter(([, head, work]) => head !== 1 || work !== 1).map(([file]) => file);
    if (dirty.length > 0) {
      throw new GitError(
        'git.dirty',
        `uncommitted changes in ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ` and ${dirty.length - 5} more` : ''}: ` +
          'commit them first, so the status can name the commit it reflects (or run without --commit)',
        { details: { files: dirty } },
      );
    }
    return configCommit(this.store, await this.head(), statusFile, { prefix: this.prefix });
  }

  /**
   * Commits `content` as config-relative `path` on the checked-out branch, staging that one file
   * (it is already on disk). Returns the new commit, or undefined when HEAD already has it.
   */
  async commitFile(path: string, content: string, message: string, author: GitAuthor, clock: Clock): Promise<string | undefined> {
    const branch = await this.branch();
    const head = await this.head();
    const file = this.path(path);
    const commit = await commitFile(this.store, head, file, content, message, author, clock.now());
    if (commit === undefined) return undefined;
    if ((await this.head()) !== head) throw new GitError('git.moved', `${branch} moved while the status was being committed; run again`);
    await git.writeRef({ fs, gitdir: this.store.gitdir, ref: `refs/heads/${branch}`, value: commit, force: true });
    // Stage exactly what was committed (not whatever is on disk), so `git status` shows no change for it.
    const blob = await entryAt(this.store, (await readCommitData(this.store, commit)).tree, file);
    if (blob) await git.updateIndex({ fs, dir: this.root, gitdir: this.store.gitdir, cache: this.store.cache, filepath: file, oid: blob.oid, add: true });
    return commit;
  }

  /** The checked-out branch's upstream (remote and branch), for `--push`. */
  async upstream(env: Readonly<Record<string, string | undefined>>, clock: Clock, signal?: AbortSignal): Promise<{ remote: GitRemote; branch: string }> {
    const branch = await this.branch();
    const gitdir = this.store.gitdir;
    const name = ((await git.getConfig({ fs, gitdir, path: `branch.${branch}.remote` })) as string | undefined) ?? 'origin';
    const rawUrl = (await git.getConfig({ fs, gitdir, path: `remote.${name}.url` })) as string | undefined;
    if (!rawUrl) throw new GitError('git.no-remote', `branch ${branch} has no remote to push to (no remote "${name}" in ${this.root})`);
    const merge = ((await git.getConfig({ fs, gitdir, path: `branch.${branch}.merge` })) as string | undefined) ?? `refs/heads/${branch}`;
    if (!/^https?:\/\//.test(rawUrl)) {
      throw new GitError('git.unsupported', `remote "${name}" is ${safeUrl(rawUrl)}; navarch pushes over HTTP(S) only`);
    }
    const { url, auth } = parseRemote(rawUrl, env);
    const remote = GitRemote.attach({ url, auth, gitdir, clock, remoteName: name, store: this.store, ...(signal ? { signal } : {}) });
    return { remote, branch: merge.replace(/^refs\/heads\//, '') };
  }
}
