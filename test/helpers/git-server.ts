/**
 * A real git server for tests and benchmarks: `git http-backend` run as CGI behind node:http on
 * 127.0.0.1 (random port), serving bare repositories from a temporary directory. Clients speak
 * smart HTTP to it exactly as they would to a git host; an optional token check exercises auth.
 *
 * Hooks let a test act at a precise moment of the protocol, e.g. commit as a human just before
 * navarch's push reaches the server, to produce a real push race.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** One ref update a push asks for, as read from the receive-pack request. */
export interface PushUpdate {
  repo: string;
  ref: string;
  oldOid: string;
  newOid: string;
}

export interface GitServerOptions {
  /**
   * When set, every request must authenticate with this token: HTTP Basic with the token as the
   * password (any user name, as GitHub accepts `x-access-token`), or `Authorization: Bearer TOKEN`.
   */
  token?: string;
  /**
   * With `token`: a second token that may read but not push, as a host answers a token without
   * write access (403 to push discovery and to receive-pack).
   */
  readToken?: string;
  /** Called before a receive-pack request (a push) is handed to git; the push waits for it. */
  beforePush?: (updates: PushUpdate[]) => Promise<void> | void;
}

/** Author and committer identity for commits the helper makes as a person would. */
export interface Identity {
  name: string;
  email: string;
}

export interface GitServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Directory holding the bare repositories. */
  readonly root: string;
  /** Requests served so far, by kind (`upload-pack`, `receive-pack`, `info-refs`, `other`). */
  readonly requests: Record<string, number>;
  /** Replaces the push hook (undefined removes it). */
  setBeforePush(hook: GitServerOptions['beforePush']): void;
  /** The clone URL of repository `name` (without credentials). */
  repoUrl(name: string): string;
  /** Path of the bare repository `name` on disk. */
  repoPath(name: string): string;
  /**
   * Creates bare repository `name` (`git init --bare`, pushes enabled) with one commit holding
   * `files` on `branch` (default `main`). Returns the commit's sha.
   */
  createRepo(name: string, files: Record<string, string>, opts?: { branch?: string }): Promise<string>;
  /**
   * Commits as a person would, straight into the bare repository (no HTTP): `files` maps paths
   * to new contents, or to null to delete. Returns the new commit's sha.
   */
  commit(name: string, files: Record<string, string | null>, message: string, opts?: { branch?: string; author?: Identity }): Promise<string>;
  /** Runs `git` inside the bare repository and returns its stdout (e.g. `log`, `show`, `rev-parse`). */
  git(name: string, args: string[]): Promise<string>;
  close(): Promise<void>;
}

const HUMAN: Identity = { name: 'Ada Operator', email: 'ada@example.com' };

/** Runs git with a fixed identity and no user or system configuration, so results do not depend on the machine. */
export function runGit(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: opts.cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: opts.cwd ?? tmpdir(),
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_TERMINAL_PROMPT: '0',
          ...opts.env,
        },
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

function identityEnv(who: Identity): Record<string, string> {
  return { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) return header.slice(7) === token;
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === token;
  }
  return false;
}

/** Reads the ref updates (`old new ref`) from the start of a receive-pack request body. */
export function parsePushUpdates(repo: string, body: Buffer): PushUpdate[] {
  const updates: PushUpdate[] = [];
  let at = 0;
  while (at + 4 <= body.length) {
    const len = parseInt(body.subarray(at, at + 4).toString('ascii'), 16);
    if (!Number.isFinite(len) || len === 0) break;
    const line = body.subarray(at + 4, at + len).toString('utf8').split('\0')[0]?.trim() ?? '';
    const [oldOid, newOid, ref] = line.split(' ');
    if (oldOid && newOid && ref) updates.push({ repo, ref, oldOid, newOid });
    at += len;
  }
  return updates;
}

function kindOf(path: string, query: string): string {
  if (path.endsWith('/git-upload-pack')) return 'upload-pack';
  if (path.endsWith('/git-receive-pack')) return 'receive-pack';
  if (path.endsWith('/info/refs')) return `info-refs${query.includes('receive-pack') ? '-push' : ''}`;
  return 'other';
}

/** Starts a server on 127.0.0.1 with a random port. */
export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), 'navarch-git-server-'));
  const requests: Record<string, number> = {};
  let beforePush = options.beforePush;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const kind = kindOf(url.pathname, url.search);
    requests[kind] = (requests[kind] ?? 0) + 1;
    const push = kind === 'receive-pack' || kind === 'info-refs-push';
    if (options.readToken !== undefined && authorized(req, options.readToken)) {
      if (push) {
        res.writeHead(403, { 'Content-Type': 'text/plain' });
        res.end('this token may not push\n');
        return;
      }
    } else if (!authorized(req, options.token)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="navarch-test"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (kind === 'receive-pack' && beforePush) {
      const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
      const repo = url.pathname.replace(/^\//, '').replace(/\/git-receive-pack$/, '');
      await beforePush(parsePushUpdates(repo, raw));
    }
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      REMOTE_USER: 'navarch-test',
      REMOTE_ADDR: '127.0.0.1',
    };
    if (req.headers['content-encoding']) env['HTTP_CONTENT_ENCODING'] = String(req.headers['content-encoding']);
    if (req.headers['git-protocol']) env['GIT_PROTOCOL'] = String(req.headers['git-protocol']);
    const cgi = spawn('git', ['http-backend'], { env });
    // git may exit before reading everything (e.g. a refused push); that is its answer, not our error.
    cgi.stdin.on('error', () => undefined);
    cgi.stdin.end(body);
    let head = Buffer.alloc(0);
    let headersDone = false;
    let errText = '';
    cgi.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    cgi.stdout.on('data', (d: Buffer) => {
      if (headersDone) {
        res.write(d);
        return;
      }
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    await new Promise<void>((resolve) => cgi.on('close', () => resolve()));
    if (!headersDone) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git http-backend failed: ${errText}\n`);
      return;
    }
    res.end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`test git server error: ${String(err)}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const repoPath = (name: string): string => join(root, `${name}.git`);

  const commit: GitServer['commit'] = async (name, files, message, opts = {}) => {
    const branch = opts.branch ?? 'main';
    const work = await mkdtemp(join(tmpdir(), 'navarch-git-human-'));
    try {
      const env = identityEnv(opts.author ?? HUMAN);
      await runGit(['clone', '--quiet', '--branch', branch, repoPath(name), work], { env });
      for (const [path, text] of Object.entries(files)) {
        if (text === null) await runGit(['rm', '--quiet', path], { cwd: work, env });
        else {
          await mkdir(dirname(join(work, path)), { recursive: true });
          await writeFile(join(work, path), text);
          await runGit(['add', path], { cwd: work, env });
        }
      }
      await runGit(['commit', '--quiet', '-m', message], { cwd: work, env });
      await runGit(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], { cwd: work, env });
      return (await runGit(['rev-parse', 'HEAD'], { cwd: work })).trim();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };

  return {
    url: base,
    root,
    requests,
    setBeforePush: (hook) => (beforePush = hook),
    repoUrl: (name) => `${base}/${name}.git`,
    repoPath,
    async createRepo(name, files, opts = {}) {
      const branch = opts.branch ?? 'main';
      const bare = repoPath(name);
      await runGit(['init', '--quiet', '--bare', `--initial-branch=${branch}`, bare]);
      await runGit(['config', 'http.receivepack', 'true'], { cwd: bare });
      const work = await mkdtemp(join(tmpdir(), 'navarch-git-seed-'));
      try {
        const env = identityEnv(HUMAN);
        await runGit(['init', '--quiet', `--initial-branch=${branch}`, work]);
        for (const [path, text] of Object.entries(files)) {
          await mkdir(dirname(join(work, path)), { recursive: true });
          await writeFile(join(work, path), text);
        }
        await runGit(['add', '-A'], { cwd: work });
        await runGit(['commit', '--quiet', '-m', 'Initial fleet configuration'], { cwd: work, env });
        await runGit(['push', '--quiet', bare, `HEAD:refs/heads/${branch}`], { cwd: work, env });
        return (await runGit(['rev-parse', 'HEAD'], { cwd: work })).trim();
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
    commit,
    git: (name, args) => runGit(args, { cwd: repoPath(name) }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
