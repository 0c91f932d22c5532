/**
 * Committing one machine-written file (the status) onto a branch and pushing it. When the push is
 * refused because the branch moved, the same change is made again on the new head and pushed
 * again, a bounded number of times: other people's commits are always kept, never rewritten.
 */
import type { Logger } from '../log/index.js';
import { backoffMs, type Clock } from '../model/index.js';
import type { GitAuthor } from './author.js';
import { GitError, PushRejectedError } from './errors.js';
import { readCommitData, readTextAt, replaceFile, writeCommit, type GitStore } from './objects.js';
import type { GitRemote } from './remote.js';

/** The outcome of publishing a file. */
export interface PublishResult {
  /** The commit now at the tip that holds the file (ours, or an identical one already there). */
  commit: string;
  /** The commit ours was made on (the branch's head when it was pushed). */
  parent: string;
  /** Pushes tried; more than 1 means the branch moved and the change was made again on the new head. */
  attempts: number;
  /** False when the branch already held exactly this content (nothing was pushed). */
  pushed: boolean;
}

export interface PublishOptions {
  remote: GitRemote;
  branch: string;
  /** The head the content was computed against. */
  base: string;
  path: string;
  content: string;
  message: string;
  author: GitAuthor;
  clock: Clock;
  /** Pushes to try before giving up (default 5). */
  attempts?: number;
  logger?: Logger;
  random?: () => number;
  signal?: AbortSignal;
}

/** Makes a commit on `parent` that sets `path` to `content`; undefined when the file already has it. */
export async function commitFile(
  store: GitStore,
  parent: string,
  path: string,
  content: string,
  message: string,
  author: GitAuthor,
  time: number,
): Promise<string | undefined> {
  if ((await readTextAt(store, parent, path)) === content) return undefined;
  const { tree } = await readCommitData(store, parent);
  const next = await replaceFile(store, tree, path, content);
  return writeCommit(store, { tree: next, parents: [parent], message, author, time });
}

export async function publishFile(opts: PublishOptions): Promise<PublishResult> {
  const max = opts.attempts ?? 5;
  const ref = `refs/heads/${opts.branch}`;
  let base = opts.base;
  for (let attempt = 1; ; attempt++) {
    const commit = await commitFile(opts.remote.store, base, opts.path, opts.content, opts.message, opts.author, opts.clock.now());
    if (commit === undefined) return { commit: base, parent: base, attempts: attempt - 1, pushed: false };
    try {
      await opts.remote.push(ref, commit, base);
      return { commit, parent: base, attempts: attempt, pushed: true };
    } catch (err) {
      if (!(err instanceof PushRejectedError)) throw err;
      if (attempt >= max) {
        throw new GitError(
          'git.push-rejected',
          `gave up pushing ${opts.path} to ${opts.branch} on ${opts.remote.url} after ${attempt} attempts: the branch kept moving. ` +
            'The fleet was changed; the next run records its status.',
          { cause: err, details: { attempts: attempt } },
        );
      }
      opts.logger?.info({ attempt, branch: opts.branch }, 'the branch moved; re-applying the status change on its new head');
      await opts.clock.sleep(backoffMs(attempt, { baseMs: 200, maxMs: 5_000, ...(opts.random ? { random: opts.random } : {}) }), opts.signal);
      base = (await opts.remote.fetchBranch(opts.branch)).oid;
    }
  }
}
