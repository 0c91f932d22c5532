/**
 * Whose comments and issues navarch believes. A marker is plain text anyone who can comment may
 * paste; trusting it from a stranger would let them stand in for the reviewed plan. Bots (the
 * workflow's own token posts as one) and people with write access to the repository, who could
 * push to the default branch anyway, are believed; everyone else is ignored.
 */

/** The parts of a comment or issue that say who wrote it. */
export interface Authored {
  user?: { login?: string; type?: string } | null;
  author_association?: string;
}

const WRITERS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/** Whether navarch may read a marker from (or edit) this comment or issue. */
export function trustedAuthor(item: Authored): boolean {
  return item.user?.type === 'Bot' || WRITERS.has(item.author_association ?? '');
}
