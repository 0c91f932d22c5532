/**
 * Node health from the control plane (`server` input). Plans made without it see what the clouds
 * list and what the status file records; with it, they see each node as `navarch serve`'s own
 * planner saw it in its last pass (`GET /v1/facts`: health after the circuit breakers, cordons),
 * so a pull request's plan shows the replacements the control plane would make.
 *
 * The facts are read with the read-only token (`server-token`, else NAVARCH_READ_TOKEN): the
 * action can see everything and change nothing. A control plane that cannot be reached, refuses
 * the token or answers what this version cannot read does not fail the plan: the plan goes
 * without node health, and says so where it is shown.
 */
import { asNavarchError, redact, type NodeFacts } from '../model/index.js';
import { parseFactsDocument } from '../observe/index.js';

/** How long the control plane has to answer before the plan goes without it. */
const TIMEOUT_MS = 15_000;

/** A line for whoever reads the plan, about where its node health came from. */
export interface FactsNote {
  /** The plan went without node health. */
  warning: boolean;
  text: string;
}

export interface ControlPlaneFacts {
  /** Facts about nodes by name; undefined when the plan goes without. */
  facts: ReadonlyMap<string, NodeFacts> | undefined;
  /** Undefined when no control plane was given. */
  note: FactsNote | undefined;
}

export interface FactsRequest {
  /** The control plane's URL (checked: http(s), no credentials in it). */
  server: string | undefined;
  /** Its read-only token. */
  token: string | undefined;
  timeoutMs?: number;
}

/** Why a request to the control plane came to nothing, in words (never the token). */
function failure(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (err instanceof Error && err.name === 'TimeoutError') return 'it did not answer in time';
  if (cause && typeof cause.message === 'string') return cause.message;
  return asNavarchError(err).message;
}

/** What an error body says (`{error: {code, message}}`), or the status alone. */
async function refusal(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    const e = body.error;
    if (e && typeof e.message === 'string') return `HTTP ${res.status}${typeof e.code === 'string' ? ` ${e.code}` : ''}: ${e.message}`;
  } catch {
    // Not JSON: the status says enough.
  }
  return `HTTP ${res.status}`;
}

/** Fetches the facts the control plane's planner used in its last pass; never throws. */
export async function controlPlaneFacts(req: FactsRequest): Promise<ControlPlaneFacts> {
  if (req.server === undefined) return { facts: undefined, note: undefined };
  const url = `${req.server.replace(/\/+$/, '')}/v1/facts`;
  const without = (why: string): ControlPlaneFacts => ({
    facts: undefined,
    note: {
      warning: true,
      text: redact(`Planned without node health: ${why}. The plan shows no replacement the control plane would make for a node's health.`),
    },
  });
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', ...(req.token ? { authorization: `Bearer ${req.token}` } : {}) },
      signal: AbortSignal.timeout(req.timeoutMs ?? TIMEOUT_MS),
    });
  } catch (err) {
    return without(`the control plane at ${req.server} could not be reached (${failure(err)})`);
  }
  if (!res.ok) {
    const why = await refusal(res);
    const what = res.status === 401 || res.status === 403 ? 'refused the read-only token' : 'did not give its facts';
    return without(`the control plane at ${req.server} ${what} (${why})`);
  }
  try {
    const served = parseFactsDocument(await res.json());
    const commit = served.desiredCommit ? `, configuration at ${served.desiredCommit.slice(0, 7)}` : '';
    return {
      facts: served.facts,
      note: { warning: false, text: redact(`Node health from the control plane at ${req.server}, as its last reconcile judged it (${served.computedAt}${commit}).`) },
    };
  } catch (err) {
    return without(`the control plane at ${req.server} answered what this version cannot read (${failure(err)})`);
  }
}
