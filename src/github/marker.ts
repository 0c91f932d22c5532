/**
 * Hidden markers: the first line of every comment and issue navarch writes, by which it finds them
 * again. A plan comment's marker also carries the digest of the plan it shows, so the apply on
 * merge can check it is applying exactly what the pull request showed.
 *
 * `<!-- navarch-plan dir=fleet fleet=research plan=sha256:… format=2 summary=2/0/1 desired=… observed=… -->`
 *
 * Values are percent-encoded where needed, so a directory name can never end the HTML comment early.
 */
import type { Plan } from '../model/index.js';
import { planDigest } from '../plan/index.js';

/** Which kind of navarch text a marker heads. */
export type MarkerKind = 'navarch-plan' | 'navarch-drift';

/** What a plan comment's marker records. */
export interface PlanMarker {
  /** The config directory, relative to the repository root (`.` for the root). */
  dir: string;
  fleet: string | undefined;
  /** `reviewDigest` of the plan shown, or undefined when the comment shows no plan (an error). */
  plan: string | undefined;
  /**
   * The plan format version the digest was taken over (`PLAN_FORMAT_VERSION` of the navarch that
   * wrote the comment); undefined in markers written before it was recorded, which were version 1.
   */
  format: number | undefined;
  summary: { add: number; change: number; destroy: number } | undefined;
  /** The first 16 hex digits of the desired and observed digests the plan was made from. */
  desired: string | undefined;
  observed: string | undefined;
}

/** A config directory as markers record it: `/`-separated, no `./` or trailing `/`, `.` for the root. */
export function normalizeDir(dir: string): string {
  const parts = dir.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  return parts.length ? parts.join('/') : '.';
}

/**
 * The digest a pull request's plan and the plan applied after the merge are compared by: the plan
 * digest with the desired commit left out. The pull request plans its merge preview and the apply
 * plans the commit the merge made, so their commits always differ; the configuration itself is
 * compared through the desired digest, which is made from the files' content.
 */
export function reviewDigest(plan: Plan): string {
  return planDigest({ ...plan, desired: { ...plan.desired, commit: null } });
}

const short = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 16);

/** The marker fields for a plan shown at `dir`. */
export function planMarkerFor(plan: Plan, dir: string): PlanMarker {
  return {
    dir: normalizeDir(dir),
    fleet: plan.fleet,
    plan: reviewDigest(plan),
    format: plan.formatVersion,
    summary: { ...plan.summary },
    desired: short(plan.desired.digest),
    observed: short(plan.observed.digest),
  };
}

/** The short form of a digest as markers carry it, for comparing with `PlanMarker.desired`/`observed`. */
export function shortDigest(digest: string): string {
  return short(digest);
}

/** Renders a plan marker as its HTML comment line. */
export function formatPlanMarker(m: PlanMarker): string {
  const fields: Array<[string, string | undefined]> = [
    ['dir', m.dir],
    ['fleet', m.fleet],
    ['plan', m.plan ?? 'none'],
    ['format', m.plan !== undefined && m.format !== undefined ? String(m.format) : undefined],
    ['summary', m.summary ? `${m.summary.add}/${m.summary.change}/${m.summary.destroy}` : undefined],
    ['desired', m.desired],
    ['observed', m.observed],
  ];
  return formatMarker('navarch-plan', fields);
}

/** The marker of a drift issue for the fleet at `dir`. */
export function formatDriftMarker(dir: string, fleet: string): string {
  return formatMarker('navarch-drift', [
    ['dir', normalizeDir(dir)],
    ['fleet', fleet],
  ]);
}

function formatMarker(kind: MarkerKind, fields: Array<[string, string | undefined]>): string {
  const text = fields
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeValue(v)}`)
    .join(' ');
  return `<!-- ${kind} ${text} -->`;
}

/** Percent-encodes what could end the comment or split the fields; paths and digests stay readable. */
function encodeValue(v: string): string {
  return v.replace(/[%\s<>"'&=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The fields of the first marker of `kind` in `body`, or undefined when there is none. */
export function readMarker(body: string | null | undefined, kind: MarkerKind): Record<string, string> | undefined {
  if (!body) return undefined;
  const m = new RegExp(`<!--\\s*${kind}\\s([^>]*?)-->`).exec(body);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const token of (m[1] ?? '').trim().split(/\s+/)) {
    const at = token.indexOf('=');
    if (at <= 0) continue;
    try {
      out[token.slice(0, at)] = decodeURIComponent(token.slice(at + 1));
    } catch {
      // A mangled value is treated as absent.
    }
  }
  return out;
}

/** Parses a plan comment's marker; undefined when `body` has none. */
export function parsePlanMarker(body: string | null | undefined): PlanMarker | undefined {
  const f = readMarker(body, 'navarch-plan');
  if (!f || f['dir'] === undefined) return undefined;
  const counts = /^(\d+)\/(\d+)\/(\d+)$/.exec(f['summary'] ?? '');
  const plan = f['plan'];
  return {
    dir: normalizeDir(f['dir']),
    fleet: f['fleet'],
    plan: plan && /^sha256:[0-9a-f]{64}$/.test(plan) ? plan : undefined,
    format: /^\d+$/.test(f['format'] ?? '') ? Number(f['format']) : undefined,
    summary: counts ? { add: Number(counts[1]), change: Number(counts[2]), destroy: Number(counts[3]) } : undefined,
    desired: f['desired'],
    observed: f['observed'],
  };
}
