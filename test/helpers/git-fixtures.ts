/** Shared set-up for tests that talk to the test git server: temp dirs, a remote over a cache. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRemote, parseRemote } from '../../src/git/index.js';
import { systemClock, type Clock } from '../../src/model/index.js';
import type { GitServer } from './git-server.js';

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

/** A minimal valid fleet on the fake cloud whose state lives in `stateFile`. */
export function fleetFiles(stateFile: string, opts: { fleet?: string; nodes?: number; extra?: Record<string, string> } = {}): Record<string, string> {
  return {
    'navarch.yaml': `fleet: ${opts.fleet ?? 'research'}\nproviders:\n  local:\n    type: fake\n    state_file: ${stateFile}\n`,
    'pools/train.yaml': `provider: local\ninstance_type: f1.8xh100\nregion: local-1\nmin_nodes: ${opts.nodes ?? 2}\nmax_nodes: 8\n`,
    ...opts.extra,
  };
}
