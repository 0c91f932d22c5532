/** The pull request a pushed commit came from. */
import { call, type GitHub, type RepoRef } from './client.js';

/** A merged pull request, as far as navarch needs it. */
export interface MergedPull {
  number: number;
  url: string;
  title: string;
}

/**
 * The pull request whose merge produced `sha` (a merge, squash or rebase commit), or undefined for
 * a commit pushed straight to the branch. GitHub lists every pull request containing the commit;
 * the one whose merge commit it is wins, then any merged one.
 */
export async function mergedPullFor(gh: GitHub, repo: RepoRef, sha: string): Promise<MergedPull | undefined> {
  const pulls = await call(`finding the pull request of commit ${sha.slice(0, 7)}`, () =>
    gh.paginate(gh.rest.repos.listPullRequestsAssociatedWithCommit, { ...repo, commit_sha: sha, per_page: 100 }),
  );
  const merged = pulls.filter((p) => p.merged_at);
  const pick = merged.find((p) => p.merge_commit_sha === sha) ?? merged[0];
  return pick ? { number: pick.number, url: pick.html_url, title: pick.title } : undefined;
}
