/**
 * The config repository as git: fetch a remote into a cache and read it at an exact commit, commit
 * the status file back and push it (re-applied on the new head when the branch moved), and the
 * fleet lock that keeps applies one at a time, with nothing but the git host (or, for a plain
 * directory, a file beside it).
 */
export { parseRemote, safeUrl, type GitAuth, type ParsedRemote } from './auth.js';
export { DEFAULT_AUTHOR, parseAuthor, type GitAuthor } from './author.js';
export { defaultCacheDir, repoCache, withCacheLock, type RepoCache } from './cache.js';
export { commitSource } from './commit-source.js';
export { GitError, PushRejectedError } from './errors.js';
export { LocalRepo } from './local.js';
export { acquireLock, DEFAULT_LOCK_TTL_MS, forceUnlock, HeldLock, LockBusyError, readLock, type AcquireOptions, type LockContext } from './lock.js';
export { DIRECTORY_LOCK_FILE, directoryLockStore, lockRefFor, refLockStore, shellWord, type CurrentLock, type LockStore } from './lock-store.js';
export { currentHolder, describeLock, type LockInfo } from './lock-info.js';
export { configCommit, readCommitData, readTextAt, type GitStore } from './objects.js';
export { commitFile, publishFile, type PublishOptions, type PublishResult } from './publish.js';
export { GitRemote, type FetchedBranch, type GitRemoteOptions } from './remote.js';
export { probeRemote, type Access, type RemoteAccess } from './probe.js';
export { statusChanged } from './status-change.js';
export { localTarget, remoteTarget, type ConfigTarget, type LockStoreOptions, type PublishOutcome, type TargetContext, type TargetSnapshot } from './target.js';
