/**
 * A loopback GitHub REST API for the action's tests: exactly the routes navarch uses, with GitHub's
 * request and response shapes (issue comments, issues, pull requests of a commit), pagination by
 * `per_page`/`page` with a `Link` header, token authentication, and the 65,536-character limit on
 * bodies. Every request is recorded so tests can say what was called and what was sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHubUser {
  login: string;
  type: 'Bot' | 'User';
}

/** The workflow token's identity, as GitHub shows it on comments made with it. */
export const ACTIONS_BOT: GitHubUser = { login: 'github-actions[bot]', type: 'Bot' };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
  status: number;
}

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  user: GitHubUser;
  author_association: string;
}

export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  user: GitHubUser;
  author_association: string;
  pull: boolean;
}

interface PullRecord {
  number: number;
  merge_commit_sha: string | null;
  merged_at: string | null;
}

export interface GitHubServerOptions {
  owner: string;
  repo: string;
  token: string;
  /** Largest page the server returns (GitHub: 100), lowered to make tests page. */
  maxPerPage?: number;
}

const BODY_LIMIT = 65_536;

export class GitHubServer {
  readonly requests: RecordedRequest[] = [];
  readonly comments: StoredComment[] = [];
  readonly issues = new Map<number, StoredIssue>();
  private readonly pullsOfCommit = new Map<string, PullRecord[]>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private nextComment = 1000;
  private nextIssue = 1;
  url = '';

  constructor(readonly opts: GitHubServerOptions) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Opens pull request `number` (an issue that is a pull request). */
  openPull(number: number, title = `Pull request ${number}`): void {
    this.nextIssue = Math.max(this.nextIssue, number + 1);
    this.issues.set(number, { number, title, body: '', state: 'open', state_reason: null, labels: [], user: { login: 'ada', type: 'User' }, author_association: 'MEMBER', pull: true });
  }

  /** Records that pull request `number` was merged as commit `sha`. */
  mergePull(number: number, sha: string): void {
    const issue = this.issues.get(number);
    if (issue) issue.state = 'closed';
    this.pullsOfCommit.set(sha, [...(this.pullsOfCommit.get(sha) ?? []), { number, merge_commit_sha: sha, merged_at: '2026-01-05T10:00:00Z' }]);
  }

  /** Adds a comment as someone other than the action. */
  addComment(issue: number, body: string, user: GitHubUser = { login: 'ada', type: 'User' }, association = 'MEMBER'): StoredComment {
    const c = { id: this.nextComment++, issue, body, user, author_association: association };
    this.comments.push(c);
    return c;
  }

  commentsOn(issue: number): StoredComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** Requests as `METHOD /path`, in order (for asserting which routes were used). */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  private base(): string {
    return `/repos/${this.opts.owner}/${this.opts.repo}`;
  }

  private html(path: string): string {
    return `https://github.example/${this.opts.owner}/${this.opts.repo}${path}`;
  }

  private commentJson(c: StoredComment): Record<string, unknown> {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.url}${this.base()}/issues/comments/${c.id}`,
      html_url: this.html(`/pull/${c.issue}#issuecomment-${c.id}`),
      issue_url: `${this.url}${this.base()}/issues/${c.issue}`,
      body: c.body,
      user: { login: c.user.login, id: 1, type: c.user.type },
      author_association: c.author_association,
      created_at: '2026-01-05T10:00:00Z',
      updated_at: '2026-01-05T10:00:00Z',
    };
  }

  private issueJson(i: StoredIssue): Record<string, unknown> {
    return {
      id: 5000 + i.number,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason,
      labels: i.labels.map((name) => ({ name })),
      user: { login: i.user.login, id: 1, type: i.user.type },
      author_association: i.author_association,
      html_url: this.html(`/issues/${i.number}`),
      ...(i.pull ? { pull_request: { url: `${this.url}${this.base()}/pulls/${i.number}` } } : {}),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | undefined;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    } catch {
      body = { unparsable: raw };
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: req.headers.authorization,
      status: 0,
    };
    this.requests.push(record);
    const send = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(json));
    };
    const auth = req.headers.authorization ?? '';
    const m = /^(?:token|bearer) (.+)$/i.exec(auth);
    if (m?.[1] !== this.opts.token) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const tooLong = typeof body?.['body'] === 'string' && (body['body'] as string).length > BODY_LIMIT;
    const invalid = (resource: string): void =>
      send(422, { message: 'Validation Failed', errors: [{ resource, code: 'custom', field: 'body', message: `body is too long (maximum is ${BODY_LIMIT} characters)` }], status: '422' });
    const route = url.pathname.startsWith(this.base()) ? url.pathname.slice(this.base().length) : undefined;
    const method = req.method ?? 'GET';
    let match: RegExpExecArray | null;

    if (route && method === 'GET' && (match = /^\/issues\/(\d+)\/comments$/.exec(route))) {
      const issue = Number(match[1]);
      if (!this.issues.has(issue)) return send(404, { message: 'Not Found' });
      return this.page(url, this.commentsOn(issue).map((c) => this.commentJson(c)), send);
    }
    if (route && method === 'POST' && (match = /^\/issues\/(\d+)\/comments$/.exec(route))) {
      const issue = Number(match[1]);
      if (!this.issues.has(issue)) return send(404, { message: 'Not Found' });
      if (tooLong) return invalid('IssueComment');
      const c = this.addComment(issue, String(body?.['body'] ?? ''), ACTIONS_BOT, 'NONE');
      return send(201, this.commentJson(c));
    }
    if (route && method === 'PATCH' && (match = /^\/issues\/comments\/(\d+)$/.exec(route))) {
      const c = this.comments.find((x) => x.id === Number(match?.[1]));
      if (!c) return send(404, { message: 'Not Found' });
      if (c.user.login !== ACTIONS_BOT.login) return send(403, { message: 'Resource not accessible by integration' });
      if (tooLong) return invalid('IssueComment');
      c.body = String(body?.['body'] ?? '');
      return send(200, this.commentJson(c));
    }
    if (route && method === 'GET' && (match = /^\/commits\/([0-9a-f]{40})\/pulls$/.exec(route))) {
      const pulls = (this.pullsOfCommit.get(match[1] ?? '') ?? []).map((p) => ({
        number: p.number,
        title: this.issues.get(p.number)?.title ?? '',
        state: 'closed',
        html_url: this.html(`/pull/${p.number}`),
        merge_commit_sha: p.merge_commit_sha,
        merged_at: p.merged_at,
        base: { ref: 'main' },
      }));
      return this.page(url, pulls, send);
    }
    if (route === '/issues' && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open';
      const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const list = [...this.issues.values()]
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => b.number - a.number)
        .map((i) => this.issueJson(i));
      return this.page(url, list, send);
    }
    if (route === '/issues' && method === 'POST') {
      if (tooLong) return invalid('Issue');
      const issue: StoredIssue = {
        number: this.nextIssue++,
        title: String(body?.['title'] ?? ''),
        body: String(body?.['body'] ?? ''),
        state: 'open',
        state_reason: null,
        labels: Array.isArray(body?.['labels']) ? (body['labels'] as unknown[]).map(String) : [],
        user: ACTIONS_BOT,
        author_association: 'NONE',
        pull: false,
      };
      this.issues.set(issue.number, issue);
      return send(201, this.issueJson(issue));
    }
    if (route && method === 'PATCH' && (match = /^\/issues\/(\d+)$/.exec(route))) {
      const issue = this.issues.get(Number(match[1]));
      if (!issue) return send(404, { message: 'Not Found' });
      if (tooLong) return invalid('Issue');
      if (typeof body?.['title'] === 'string') issue.title = body['title'];
      if (typeof body?.['body'] === 'string') issue.body = body['body'];
      if (body?.['state'] === 'open' || body?.['state'] === 'closed') issue.state = body['state'];
      if (typeof body?.['state_reason'] === 'string') issue.state_reason = body['state_reason'];
      return send(200, this.issueJson(issue));
    }
    send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  /** One page of `items` as GitHub pages lists: `per_page` (default 30, capped), `page`, and a Link header. */
  private page(url: URL, items: unknown[], send: (status: number, json: unknown, headers?: Record<string, string>) => void): void {
    const cap = this.opts.maxPerPage ?? 100;
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, cap);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number): string => {
      const u = new URL(url.toString());
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    const rels: string[] = [];
    if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) rels.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
    send(200, items.slice((page - 1) * perPage, page * perPage), rels.length ? { link: rels.join(', ') } : {});
  }
}
