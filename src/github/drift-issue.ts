/**
 * The drift issue: one open issue per config directory while the fleet differs from its
 * configuration, updated by each scheduled check, and closed by the first check that finds no
 * drift. Found by its label, then confirmed by its hidden marker.
 */
import { call, type GitHub, type RepoRef } from './client.js';
import { normalizeDir, readMarker } from './marker.js';
import { trustedAuthor } from './trust.js';

/** The label drift issues carry (GitHub creates it with the first issue). */
export const DRIFT_LABEL = 'navarch-drift';

/** What to do about drift at `dir`. */
export interface DriftReport {
  dir: string;
  drifted: boolean;
  /** Issue title and body (body headed by `formatDriftMarker`), used when `drifted`. */
  title: string;
  body: string;
  /** Comment left on the issue when closing it. */
  resolvedComment: string;
  label?: string;
}

/** What `syncDriftIssue` did. */
export interface DriftOutcome {
  action: 'opened' | 'updated' | 'closed' | 'none';
  number: number | undefined;
  url: string | undefined;
}

/** Opens, updates or closes the drift issue for `report.dir`. */
export async function syncDriftIssue(gh: GitHub, repo: RepoRef, report: DriftReport): Promise<DriftOutcome> {
  const label = report.label ?? DRIFT_LABEL;
  const dir = normalizeDir(report.dir);
  const open = await call(`listing open issues labelled ${label}`, () =>
    gh.paginate(gh.rest.issues.listForRepo, { ...repo, state: 'open', labels: label, per_page: 100 }),
  );
  const existing = open.find((i) => !i.pull_request && trustedAuthor(i) && readMarker(i.body, 'navarch-drift')?.['dir'] === dir);
  if (report.drifted) {
    if (existing) {
      const { data } = await call(`updating issue #${existing.number}`, () =>
        gh.rest.issues.update({ ...repo, issue_number: existing.number, title: report.title, body: report.body }),
      );
      return { action: 'updated', number: data.number, url: data.html_url };
    }
    const { data } = await call('opening the drift issue', () => gh.rest.issues.create({ ...repo, title: report.title, body: report.body, labels: [label] }));
    return { action: 'opened', number: data.number, url: data.html_url };
  }
  if (!existing) return { action: 'none', number: undefined, url: undefined };
  await call(`commenting on issue #${existing.number}`, () =>
    gh.rest.issues.createComment({ ...repo, issue_number: existing.number, body: report.resolvedComment }),
  );
  const { data } = await call(`closing issue #${existing.number}`, () =>
    gh.rest.issues.update({ ...repo, issue_number: existing.number, state: 'closed', state_reason: 'completed' }),
  );
  return { action: 'closed', number: data.number, url: data.html_url };
}
