/** What GitHub tells an action about the run: the event, the repository, where things are. */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type RepoRef, parseRepository } from '../github/index.js';
import { NavarchError } from '../model/index.js';

/** The run as GitHub describes it through `GITHUB_*` variables and the event payload. */
export interface RunContext {
  eventName: string;
  payload: Record<string, unknown>;
  repo: RepoRef;
  /** The commit the workflow runs for. */
  sha: string;
  ref: string;
  /** The checked-out repository (actions/checkout's default path). */
  workspace: string;
  /** A per-job temporary directory, emptied after the job. */
  runnerTemp: string;
  /** REST API root (differs on GitHub Enterprise Server). */
  apiUrl: string;
  /** The workflow run's page, where the job summary is shown. */
  runUrl: string;
  /** `github-actions <repo> run <id>`, for the fleet lock. */
  holder: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** The pull request of a `pull_request` event. */
export interface PullRequestEvent {
  number: number;
  headSha: string | undefined;
}

/** Reads the run context; throws naming what is missing when not run by GitHub Actions. */
export function readContext(env: Readonly<Record<string, string | undefined>> = process.env): RunContext {
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new NavarchError('action.context', `${name} is not set; this action runs inside a GitHub Actions workflow`);
    return v;
  };
  const repo = parseRepository(env['GITHUB_REPOSITORY']);
  const eventPath = env['GITHUB_EVENT_PATH'];
  let payload: Record<string, unknown> = {};
  if (eventPath) {
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new NavarchError('action.context', `could not read the event payload ${eventPath}: ${(err as Error).message}`, { cause: err });
    }
  }
  const serverUrl = (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, '');
  const runId = env['GITHUB_RUN_ID'] ?? '';
  const attempt = env['GITHUB_RUN_ATTEMPT'];
  const runUrl = `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId}${attempt && attempt !== '1' ? `/attempts/${attempt}` : ''}`;
  return {
    eventName: need('GITHUB_EVENT_NAME'),
    payload,
    repo,
    sha: need('GITHUB_SHA'),
    ref: env['GITHUB_REF'] ?? '',
    workspace: need('GITHUB_WORKSPACE'),
    runnerTemp: env['RUNNER_TEMP'] || tmpdir(),
    apiUrl: env['GITHUB_API_URL'] ?? 'https://api.github.com',
    runUrl,
    holder: `github-actions ${repo.owner}/${repo.repo} run ${runId || '?'}${attempt ? `.${attempt}` : ''} (${env['GITHUB_WORKFLOW'] ?? 'workflow'})`,
    env,
  };
}

/** The pull request this run is for, or undefined when the event is not about one. */
export function pullRequestOf(ctx: RunContext): PullRequestEvent | undefined {
  if (ctx.eventName !== 'pull_request') return undefined;
  const pr = ctx.payload['pull_request'] as { number?: unknown; head?: { sha?: unknown } } | undefined;
  const number = typeof pr?.number === 'number' ? pr.number : typeof ctx.payload['number'] === 'number' ? ctx.payload['number'] : undefined;
  if (number === undefined) throw new NavarchError('action.context', 'the pull_request event payload has no pull request number');
  return { number, headSha: typeof pr?.head?.sha === 'string' ? pr.head.sha : undefined };
}
