/** Shared set-up for tests that talk to the test git server: temp dirs, a remote over a cache. */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { GitRemote, parseRemote } from '../../src/git/index.js';
import { systemClock, type Clock } from '../../src/model/index.js';
import { FAKE_CLOUD_DIR_ENV } from '../../src/providers/fake/index.js';
import { runGit, type GitServer } from './git-server.js';

/** Creates temp directories and removes them all at `cleanup()`. */
export function tempDirs(): { make(prefix?: string): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = [];
  return {
    async make(prefix = 'navarch-test-') {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** A GitRemote for repository `name` of `server`, cached in a new directory under `dir`. */
export async function remoteFor(
  server: GitServer,
  name: string,
  gitdir: string,
  opts: { token?: string; clock?: Clock } = {},
): Promise<GitRemote> {
  const { url, auth } = parseRemote(server.repoUrl(name), opts.token ? { NAVARCH_GIT_TOKEN: opts.token } : {});
  return GitRemote.open({ url, auth, gitdir, clock: opts.clock ?? systemClock });
}

/**
 * A minimal valid fleet on the fake cloud whose state lives in `stateFile`, outside the repository:
 * run navarch with `fakeCloudEnv(stateFile)` (a repository cannot name a path outside itself).
 */
export function fleetFiles(stateFile: string, opts: { fleet?: string; nodes?: number; extra?: Record<string, string> } = {}): Record<string, string> {
  return {
    'navarch.yaml': `fleet: ${opts.fleet ?? 'research'}\nproviders:\n  local:\n    type: fake\n    state_file: ${basename(stateFile)}\n`,
    'pools/train.yaml': `provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: ${opts.nodes ?? 2}\nmax_nodes: 8\n`,
    ...opts.extra,
  };
}

/** The environment that puts the fake cloud of `fleetFiles(stateFile)` at `stateFile`. */
export function fakeCloudEnv(stateFile: string): Record<string, string> {
  return { [FAKE_CLOUD_DIR_ENV]: dirname(stateFile) };
}

/** Commits symbolic links (path → link text, git mode 120000) to `main` of repository `name`; returns the commit. */
export async function commitSymlinks(server: GitServer, name: string, links: Record<string, string>, message: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'navarch-git-links-'));
  const id = ['-c', 'user.name=Test Human', '-c', 'user.email=human@example.com', '-c', 'core.symlinks=true'];
  try {
    await runGit(['clone', '--quiet', '--branch', 'main', server.repoPath(name), work]);
    for (const [path, target] of Object.entries(links)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await rm(join(work, path), { recursive: true, force: true });
      await symlink(target, join(work, path));
      await runGit(['add', path], { cwd: work });
    }
    await runGit([...id, 'commit', '--quiet', '-m', message], { cwd: work });
    await runGit(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], { cwd: work });
    return (await runGit(['rev-parse', 'HEAD'], { cwd: work })).trim();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
