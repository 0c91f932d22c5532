/**
 * `require-reviewed-plan`: apply only the plan the merged pull request last showed. The plan
 * comment's marker carries the digest of the plan it shows; the plan about to be applied must have
 * the same digest, else nothing is applied and the check fails, saying what differs.
 */
import { findPlanComment, mergedPullFor, reviewDigest, shortDigest, type GitHub, type MergedPull, type PlanComment, type RepoRef } from '../github/index.js';
import { NavarchError, planHasChanges, type Plan } from '../model/index.js';
import { summaryLine } from '../plan/index.js';

/** The pull request a pushed commit came from and its plan comment, as found before applying. */
export interface Review {
  sha: string;
  dir: string;
  pull: MergedPull | undefined;
  comment: PlanComment | undefined;
}

/** Finds the merged pull request of `sha` and its plan comment for `dir`. */
export async function findReview(gh: GitHub, repo: RepoRef, sha: string, dir: string): Promise<Review> {
  const pull = await mergedPullFor(gh, repo, sha);
  const comment = pull ? await findPlanComment(gh, repo, pull.number, dir) : undefined;
  return { sha, dir, pull, comment };
}

/** Refusal to apply a plan nobody reviewed. */
export class UnreviewedPlanError extends NavarchError {
  constructor(message: string, details: Record<string, unknown>) {
    super('apply.unreviewed', message, { details });
  }
}

const AFTER =
  'Nothing was changed. The plan as it is now is in this job summary; to apply it, re-run the plan job of the pull request ' +
  'so its comment shows this plan, then re-run this job.';

/** Throws `UnreviewedPlanError` unless `plan` is the plan the review showed (a plan without changes always passes). */
export function checkReviewed(review: Review, plan: Plan): void {
  if (!planHasChanges(plan)) return;
  const now = reviewDigest(plan);
  const pr = review.pull ? `pull request #${review.pull.number} (${review.pull.url})` : undefined;
  const refuse = (why: string, extra: Record<string, unknown> = {}): never => {
    throw new UnreviewedPlanError(`Refusing to apply: ${why}\n${AFTER}`, { pull: review.pull?.number ?? null, plan: now, ...extra });
  };
  if (!review.pull || !pr) {
    refuse(`commit ${review.sha.slice(0, 7)} did not come from a merged pull request, so no reviewed plan exists for it (${summaryLine(plan)} ${now}).`);
    return;
  }
  const marker = review.comment?.marker;
  if (!marker) return refuse(`${pr} has no navarch plan comment for ${review.dir === '.' ? 'the repository root' : `\`${review.dir}\``}, so its plan was never shown (now: ${summaryLine(plan)} ${now}).`);
  if (!marker.plan) return refuse(`the last navarch comment on ${pr} shows no plan: planning failed there (now: ${summaryLine(plan)} ${now}).`);
  if (marker.plan === now) return;
  // Markers written before the format was recorded come from format version 1.
  const shownFormat = marker.format ?? 1;
  if (shownFormat !== plan.formatVersion) {
    return refuse(
      `the plan on ${pr} was made by a navarch that writes plan format version ${shownFormat}, and this navarch writes format version ${plan.formatVersion}, ` +
        'so it cannot be the plan about to be applied: a plan reviewed before an upgrade is never applied after it.',
      { reviewed: marker.plan, reviewedFormat: shownFormat, format: plan.formatVersion },
    );
  }
  const shown = marker.summary ? `Plan: ${marker.summary.add} to add, ${marker.summary.change} to change, ${marker.summary.destroy} to destroy.` : 'a plan';
  const causes: string[] = [];
  if (marker.fleet !== undefined && marker.fleet !== plan.fleet) causes.push(`the comment is for fleet "${marker.fleet}", this is fleet "${plan.fleet}"`);
  if (marker.desired !== undefined && marker.desired !== shortDigest(plan.desired.digest)) {
    causes.push(`the configuration differs from the one the pull request planned (desired ${marker.desired} → ${shortDigest(plan.desired.digest)}), e.g. another change was merged meanwhile`);
  }
  if (marker.observed !== undefined && marker.observed !== shortDigest(plan.observed.digest)) {
    causes.push(`the fleet changed after the pull request's plan was made (observed ${marker.observed} → ${shortDigest(plan.observed.digest)})`);
  }
  if (causes.length === 0) causes.push('the configuration and the fleet are the same, but the clouds now offer capacity elsewhere, so nodes would be placed differently');
  refuse(
    `the plan differs from the one last shown on ${pr}.\n` +
      `  shown on the pull request: ${shown} (${marker.plan})\n` +
      `  about to be applied:       ${summaryLine(plan)} (${now})\n` +
      `Why: ${causes.join('; ')}.`,
    { reviewed: marker.plan },
  );
}
