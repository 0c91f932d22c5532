/**
 * The sticky plan comment: one per pull request and config directory, found by its hidden marker
 * and edited in place on every push, so the conversation never fills with stale plans.
 */
import { call, type GitHub, type RepoRef } from './client.js';
import { normalizeDir, parsePlanMarker, type PlanMarker } from './marker.js';
import { trustedAuthor } from './trust.js';

/** A navarch plan comment found on a pull request. */
export interface PlanComment {
  id: number;
  url: string;
  body: string;
  marker: PlanMarker;
}

/** What `upsertPlanComment` did. */
export interface CommentOutcome {
  action: 'created' | 'updated' | 'skipped';
  id: number | undefined;
  url: string | undefined;
}

/**
 * The newest trusted comment on issue/PR `number` whose marker names `dir`. Pages through every
 * comment: a busy pull request can have hundreds.
 */
export async function findPlanComment(gh: GitHub, repo: RepoRef, number: number, dir: string): Promise<PlanComment | undefined> {
  const want = normalizeDir(dir);
  const comments = await call(`listing the comments of #${number}`, () =>
    gh.paginate(gh.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100 }),
  );
  let found: PlanComment | undefined;
  for (const c of comments) {
    const marker = parsePlanMarker(c.body);
    if (!marker || marker.dir !== want || !trustedAuthor(c)) continue;
    // Comments come oldest first; should two exist (a race between two runs), the newest wins.
    found = { id: c.id, url: c.html_url, body: c.body ?? '', marker };
  }
  return found;
}

/**
 * Edits the plan comment for `dir` on `number`, or creates it when there is none and `create` is
 * true. `body` must already carry the marker.
 */
export async function upsertPlanComment(
  gh: GitHub,
  repo: RepoRef,
  number: number,
  dir: string,
  body: string,
  create: boolean,
): Promise<CommentOutcome> {
  const existing = await findPlanComment(gh, repo, number, dir);
  if (existing) {
    const { data } = await call(`editing comment ${existing.id} on #${number}`, () =>
      gh.rest.issues.updateComment({ ...repo, comment_id: existing.id, body }),
    );
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  if (!create) return { action: 'skipped', id: undefined, url: undefined };
  const { data } = await call(`commenting on #${number}`, () => gh.rest.issues.createComment({ ...repo, issue_number: number, body }));
  return { action: 'created', id: data.id, url: data.html_url };
}
