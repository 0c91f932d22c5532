/**
 * Secret redaction. Secrets are registered as they are read (tokens from the environment,
 * provider keys from config) and scrubbed from every message, log line, plan, status and comment.
 */

const registered = new Set<string>();

export const REDACTED = '[REDACTED]';

/** Patterns that look like credentials even when nobody registered them, with how to replace each. */
const PATTERNS: Array<[RegExp, string]> = [
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, REDACTED], // GitHub tokens
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, REDACTED],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED], // AWS access key ids
  [/\bsecret_[A-Za-z0-9_.-]{16,}\b/g, REDACTED], // Lambda Cloud API keys
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, `$1${REDACTED}@`], // credentials inside URLs
];

/** Registers a value to be scrubbed from everything navarch prints or writes. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 6) registered.add(value);
}

/** Forgets every registered secret (tests only). */
export function clearSecrets(): void {
  registered.clear();
}

/** Returns `text` with every registered secret and credential-looking token replaced. */
export function redact(text: string): string {
  let out = text;
  for (const s of registered) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** Deep-redacts a JSON-like value (strings are scrubbed; keys that name secrets are blanked). */
export function redactValue<T>(value: T): T {
  return walk(value) as T;
}

const SECRET_KEY = /(token|secret|password|api_?key|private_?key|credential)/i;

function walk(v: unknown, key?: string): unknown {
  if (typeof v === 'string') return key && SECRET_KEY.test(key) && v.length > 0 ? REDACTED : redact(v);
  if (Array.isArray(v)) return v.map((x) => walk(x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
    return out;
  }
  return v;
}
