/** Paths a repository's files name for navarch to write: they must stay inside the repository. */

/** What a path setting that leaves the repository is told. */
export const OUTSIDE_REPOSITORY = 'expected a path inside the repository (relative, without `..`)';

/** Whether `path` stays inside the repository: relative, and never climbing out with `..`. */
export function isInsideRepository(path: string): boolean {
  return !path.startsWith('/') && !path.startsWith('\\') && !/^[a-zA-Z]:/.test(path) && !path.split(/[/\\]/).includes('..');
}
