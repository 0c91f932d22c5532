/** The identity navarch commits as: `--git-author "Name <email>"`. */
import { NavarchError } from '../model/index.js';

export interface GitAuthor {
  name: string;
  email: string;
}

export const DEFAULT_AUTHOR: GitAuthor = { name: 'navarch', email: 'navarch@users.noreply.github.com' };

/** Parses `Name <email>`; refuses anything else with the expected shape in the message. */
export function parseAuthor(text: string | undefined): GitAuthor {
  if (text === undefined || text.trim() === '') return DEFAULT_AUTHOR;
  const m = /^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(text);
  if (!m) throw new NavarchError('cli.invalid', `--git-author must look like "Name <email@example.com>", not "${text}"`);
  return { name: m[1] as string, email: m[2] as string };
}

/** isomorphic-git's author record at `ms` (UTC). */
export function signature(author: GitAuthor, ms: number): { name: string; email: string; timestamp: number; timezoneOffset: number } {
  return { name: author.name, email: author.email, timestamp: Math.floor(ms / 1000), timezoneOffset: 0 };
}
