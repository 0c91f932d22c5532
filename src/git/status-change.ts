/**
 * Whether a new status is worth a commit. A reconcile that found nothing to do still rewrites the
 * status (new `updated_at`, a no-change history entry re-dated); committing that every minute
 * would bury the repository's history, so those timestamps do not count as a change.
 */
import { parse } from 'yaml';
import { stableStringify } from '../model/index.js';

function normalised(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const copy = { ...(doc as Record<string, unknown>) };
  delete copy['updated_at'];
  const history = copy['history'];
  if (Array.isArray(history) && history.length > 0) {
    const [first, ...rest] = history as Array<Record<string, unknown>>;
    if (first && first['result'] === 'no-changes') copy['history'] = [{ ...first, time: undefined }, ...rest];
  }
  return stableStringify(copy);
}

/** True when `next` says something `previous` did not (timestamps of a no-change pass aside). */
export function statusChanged(previous: string | undefined, next: string): boolean {
  if (previous === undefined) return true;
  if (previous === next) return false;
  const a = normalised(previous);
  const b = normalised(next);
  return a === undefined || b === undefined || a !== b;
}
