/**
 * A plain directory as a ConfigTarget: no git, the status stays on disk where apply writes it, and
 * the fleet lock is a file in its `.navarch/`, so two applies on one directory take turns.
 */
import { resolve } from 'node:path';
import { directorySource, readRepositoryFile } from '../config/index.js';
import { directoryLockStore, type ConfigTarget } from '../git/index.js';

export function directoryTarget(dir: string): ConfigTarget {
  const root = resolve(dir);
  return {
    label: root,
    workdir: root,
    statusOnDisk: true,
    sync: async () => ({
      head: '',
      branch: '',
      source: directorySource(root),
      readStatus: (path) => readRepositoryFile(root, path),
      desiredCommit: async () => undefined,
    }),
    lockStore: async () => directoryLockStore(root),
    // apply has already written the status file in place; there is nothing to commit.
    publish: async (_snap, path) => ({ changed: true, commit: undefined, pushed: false, attempts: 0, note: `Status written to ${path}.` }),
  };
}
