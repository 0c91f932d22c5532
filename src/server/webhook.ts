/**
 * Push webhooks from a git host: the signature GitHub (and Gitea, Forgejo) put on a webhook's
 * body, and the little of the payload the control plane needs (which event, which ref, which
 * commit). Only the signature check is security-relevant; the payload is never trusted beyond
 * deciding whether a reconcile is worth starting.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A push the git host told of; fields the payload did not carry are undefined. */
export interface PushNotice {
  /** e.g. `refs/heads/main`. */
  ref: string | undefined;
  /** The commit the ref now points at. */
  after: string | undefined;
}

/** `sha256=` and the hex HMAC-SHA256 of `body` under `secret`: what a git host sends in X-Hub-Signature-256. */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Whether `header` is `body`'s signature under `secret`. The digests are compared in constant time. */
export function validSignature(secret: string, body: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1], 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The event a webhook announces, from whichever host's header is present; undefined when none is (a plain call). */
export function webhookEvent(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  for (const name of ['x-github-event', 'x-gitea-event', 'x-gogs-event', 'x-gitlab-event']) {
    const v = headers[name];
    if (typeof v === 'string' && v) return v.toLowerCase();
  }
  return undefined;
}

/** Whether an announced event means new commits: a push (`push`, GitLab's `Push Hook`), or no event named at all. */
export function isPushEvent(event: string | undefined): boolean {
  return event === undefined || event === 'push' || event === 'push hook';
}

/** The ref and new head a push payload names (JSON, or GitHub's form encoding with a `payload` field). */
export function pushNotice(body: Buffer, contentType: string | undefined): PushNotice {
  const text = body.toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(contentType?.includes('application/x-www-form-urlencoded') ? (new URLSearchParams(text).get('payload') ?? '') : text);
  } catch {
    raw = undefined;
  }
  const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  const after = str(o['after']);
  return { ref: str(o['ref']), after: after && /^[0-9a-f]{40,64}$/.test(after) ? after : undefined };
}
