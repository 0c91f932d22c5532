/**
 * The action's inputs, read from `INPUT_*` and checked here: GitHub does not enforce `required`
 * or any type, so a typo in a workflow would otherwise surface as a confusing failure much later.
 * Every problem is reported at once.
 */
import { isAbsolute } from 'node:path';
import * as core from '@actions/core';
import { normalizeDir } from '../github/index.js';
import { NavarchError, parseDuration, registerSecret } from '../model/index.js';

export type Command = 'plan' | 'apply' | 'drift';
export type CommentMode = 'always' | 'changes-only' | 'never';

/** The inputs, validated. */
export interface Inputs {
  command: Command;
  /** The config directory, relative to the repository root, normalised (`.` for the root). */
  dir: string;
  /** `github-token`, else `GITHUB_TOKEN` from the environment; undefined when neither is set. */
  token: string | undefined;
  comment: CommentMode;
  requireReviewedPlan: boolean;
  allowDestroy: boolean;
  /** Plan and apply past `safety.max_nodes_per_pool` / `safety.max_create`. */
  allowLarge: boolean;
  lockTimeoutMs: number;
  /** Control plane URL, when given. */
  server: string | undefined;
  /** The control plane's read-only token: `server-token`, else NAVARCH_READ_TOKEN from the environment. */
  serverToken: string | undefined;
}

const COMMANDS: readonly Command[] = ['plan', 'apply', 'drift'];
const COMMENT_MODES: readonly CommentMode[] = ['always', 'changes-only', 'never'];

/** Reads one input as GitHub passes it (`INPUT_<NAME>`), trimmed. */
function input(name: string): string {
  return core.getInput(name, { trimWhitespace: true });
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], fallback: T | undefined, problems: string[]): T {
  if (value === '' && fallback !== undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(
    value === ''
      ? `input "${name}" is required: one of ${allowed.join(', ')}`
      : `input "${name}" must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`,
  );
  return allowed[0] as T;
}

function bool(name: string, value: string, problems: string[]): boolean {
  if (value === '') return false;
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^(false|no|off)$/i.test(value)) return false;
  problems.push(`input "${name}" must be true or false, not ${JSON.stringify(value)}`);
  return false;
}

/** Reads and checks every input; throws one error listing every problem. */
export function readInputs(env: Readonly<Record<string, string | undefined>> = process.env): Inputs {
  const problems: string[] = [];
  const command = oneOf('command', input('command'), COMMANDS, undefined, problems);
  const rawDir = input('dir') || '.';
  if (isAbsolute(rawDir) || normalizeDir(rawDir).split('/').includes('..')) {
    problems.push(`input "dir" must be a directory inside the repository, relative to its root (e.g. "fleet"), not ${JSON.stringify(rawDir)}`);
  }
  const token = input('github-token') || env['GITHUB_TOKEN']?.trim() || undefined;
  // Registered for navarch's own redaction only: core.setSecret would print the token to the log,
  // and the runner already masks `github.token` and secrets.
  registerSecret(token);
  const comment = oneOf('comment', input('comment'), COMMENT_MODES, 'always', problems);
  const requireReviewedPlan = bool('require-reviewed-plan', input('require-reviewed-plan'), problems);
  const allowDestroy = bool('allow-destroy', input('allow-destroy'), problems);
  const allowLarge = bool('allow-large', input('allow-large'), problems);
  const rawTimeout = input('lock-timeout') || '5m';
  const lockTimeoutMs = parseDuration(rawTimeout);
  if (lockTimeoutMs === undefined) problems.push(`input "lock-timeout" must be a duration such as 90s, 5m or 1h, not ${JSON.stringify(rawTimeout)}`);
  const server = input('server') || undefined;
  if (server !== undefined && !isHttpUrl(server)) problems.push(`input "server" must be the control plane's http(s) URL, e.g. https://navarch.example.com:8443`);
  const serverToken = input('server-token') || env['NAVARCH_READ_TOKEN']?.trim() || undefined;
  // Registered for navarch's own redaction; the runner masks it too when it comes from a secret.
  registerSecret(serverToken);
  if (server !== undefined && serverToken === undefined) {
    problems.push('input "server" needs the control plane\'s read-only token: set server-token (e.g. ${{ secrets.NAVARCH_READ_TOKEN }}) or NAVARCH_READ_TOKEN in the environment');
  }
  if (requireReviewedPlan && command !== 'apply') problems.push('input "require-reviewed-plan" applies to command: apply only');
  if (problems.length > 0) {
    throw new NavarchError('action.input', `invalid inputs:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { details: { problems } });
  }
  return { command, dir: normalizeDir(rawDir), token, comment, requireReviewedPlan, allowDestroy, allowLarge, lockTimeoutMs: lockTimeoutMs ?? 0, server, serverToken };
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
  } catch {
    return false;
  }
}
