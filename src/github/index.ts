/** GitHub through its REST API (octokit): the sticky plan comment, merged pull requests, the drift issue. */
export { call, createGitHub, githubError, parseRepository, type GitHub, type GitHubLog, type GitHubOptions, type RepoRef } from './client.js';
export { findPlanComment, upsertPlanComment, type CommentOutcome, type PlanComment } from './comments.js';
export { DRIFT_LABEL, syncDriftIssue, type DriftOutcome, type DriftReport } from './drift-issue.js';
export {
  formatDriftMarker,
  formatPlanMarker,
  normalizeDir,
  parsePlanMarker,
  planMarkerFor,
  readMarker,
  reviewDigest,
  shortDigest,
  type MarkerKind,
  type PlanMarker,
} from './marker.js';
export { mergedPullFor, type MergedPull } from './pulls.js';
export { trustedAuthor, type Authored } from './trust.js';
export {
  COMMENT_BUDGET,
  driftIssueBody,
  driftTitle,
  errorCommentBody,
  GITHUB_BODY_LIMIT,
  planCommentBody,
  planSummaryBody,
  planTitle,
  repoPath,
  SUMMARY_LIMIT_BYTES,
  type PlanContext,
  type PlanNote,
} from './bodies.js';
