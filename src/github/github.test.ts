/** The GitHub calls against the loopback API: paging, trust, edits, the drift issue's life. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS_BOT, GitHubServer } from '../../test/action/github-server.js';
import { createGitHub, githubError, type GitHub } from './client.js';
import { findPlanComment, upsertPlanComment } from './comments.js';
import { syncDriftIssue } from './drift-issue.js';
import { formatDriftMarker } from './marker.js';
import { mergedPullFor } from './pulls.js';

const TOKEN = 'tok_github_unit_0f1e2d3c';
const repo = { owner: 'acme', repo: 'fleet' };
let server: GitHubServer;
let gh: GitHub;

beforeAll(async () => {
  server = await new GitHubServer({ ...repo, token: TOKEN, maxPerPage: 3 }).start();
  gh = createGitHub({ token: TOKEN, baseUrl: `${server.url}/`, userAgent: 'navarch-test' });
});
afterAll(() => server.close());

const marker = (dir: string, n: number): string => `<!-- navarch-plan dir=${dir} fleet=research plan=sha256:${String(n).repeat(64).slice(0, 64)} -->`;

describe('the plan comment', () => {
  it('is found among many pages of comments, only for its directory and only from a trusted author', async () => {
    server.openPull(1);
    for (let i = 0; i < 7; i++) server.addComment(1, `comment ${i}`);
    server.addComment(1, `${marker('.', 1)}\nold`, ACTIONS_BOT, 'NONE');
    server.addComment(1, `${marker('other', 2)}\nanother directory`, ACTIONS_BOT, 'NONE');
    server.addComment(1, `${marker('.', 3)}\nfrom a stranger`, { login: 'mallory', type: 'User' }, 'CONTRIBUTOR');
    const found = await findPlanComment(gh, repo, 1, './');
    expect(found?.body).toBe(`${marker('.', 1)}\nold`);
    expect(server.requests.filter((r) => r.path.endsWith('/issues/1/comments')).map((r) => r.query['page'] ?? '1')).toEqual(['1', '2', '3', '4']);
    expect(server.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);

    const edited = await upsertPlanComment(gh, repo, 1, '.', `${marker('.', 4)}\nnew`, false);
    expect(edited).toMatchObject({ action: 'updated', id: found?.id });
    expect(server.commentsOn(1).filter((c) => c.body.includes('\nnew'))).toHaveLength(1);
    expect(await upsertPlanComment(gh, repo, 1, 'fresh', 'x', false)).toEqual({ action: 'skipped', id: undefined, url: undefined });
    expect((await upsertPlanComment(gh, repo, 1, 'fresh', `${marker('fresh', 5)}\n`, true)).action).toBe('created');
  });

  it('says which permission is missing when GitHub refuses', async () => {
    const err = githubError('commenting on #3', Object.assign(new Error('Resource not accessible by integration'), { status: 403 }));
    expect(err.message).toBe(
      'GitHub API: commenting on #3 failed (HTTP 403): Resource not accessible by integration (the token may not do this; give the workflow the permissions it needs (pull-requests: write and issues: write for comments and issues, contents: write to push the status))',
    );
    const bad = createGitHub({ token: 'tok_wrong_token_123', baseUrl: server.url, userAgent: 'navarch-test' });
    await expect(findPlanComment(bad, repo, 1, '.')).rejects.toMatchObject({ code: 'github.request', message: expect.stringContaining('(HTTP 401): Bad credentials') });
  });
});

describe('the merged pull request of a commit', () => {
  it('is the one whose merge made the commit', async () => {
    const sha = 'c'.repeat(40);
    server.openPull(40, 'Grow train');
    server.mergePull(40, sha);
    expect(await mergedPullFor(gh, repo, sha)).toEqual({ number: 40, title: 'Grow train', url: 'https://github.example/acme/fleet/pull/40' });
    expect(await mergedPullFor(gh, repo, 'd'.repeat(40))).toBeUndefined();
  });
});

describe('the drift issue', () => {
  const report = (drifted: boolean, body = `${formatDriftMarker('.', 'research')}\nplan`) => ({
    dir: '.',
    drifted,
    title: 'navarch: fleet research has drifted from its configuration',
    body,
    resolvedComment: 'Matches again.',
  });

  it('is opened once, updated, then closed; pull requests and strangers\' issues are never taken for it', async () => {
    server.openPull(50);
    const pr = server.issues.get(50);
    if (pr) Object.assign(pr, { labels: ['navarch-drift'], body: formatDriftMarker('.', 'research') });
    expect(await syncDriftIssue(gh, repo, report(false))).toEqual({ action: 'none', number: undefined, url: undefined });
    const opened = await syncDriftIssue(gh, repo, report(true));
    expect(opened.action).toBe('opened');
    expect(server.issues.get(opened.number ?? 0)).toMatchObject({ labels: ['navarch-drift'], state: 'open' });
    const updated = await syncDriftIssue(gh, repo, report(true, `${formatDriftMarker('.', 'research')}\nworse`));
    expect(updated).toMatchObject({ action: 'updated', number: opened.number });
    expect(server.issues.get(opened.number ?? 0)?.body).toContain('worse');
    const closed = await syncDriftIssue(gh, repo, report(false));
    expect(closed).toMatchObject({ action: 'closed', number: opened.number });
    expect(server.issues.get(opened.number ?? 0)).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(server.commentsOn(opened.number ?? 0).map((c) => c.body)).toEqual(['Matches again.']);
    expect(server.issues.get(50)?.state).toBe('open');
  });
});
