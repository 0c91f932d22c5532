/** Quoting for the two languages the packaging writes: POSIX shell and systemd unit/env files. */

/** A single-quoted shell word: safe for any text without a NUL. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A double-quoted systemd word (ExecStart arguments, EnvironmentFile values): `\`, `"` and `$`/`%` escaped. */
export function systemdQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%')}"`;
}

/** Rejects what no quoting makes safe in a one-line value: line breaks and NULs. */
export function assertOneLine(name: string, value: string): void {
  if (/[\r\n\0]/.test(value)) throw new Error(`${name} must be a single line`);
}

/**
 * A value for a systemd EnvironmentFile: single-quoted, which that parser takes literally (no
 * `$` expansion, no escapes, no specifiers). A value holding a single quote cannot be written so.
 */
export function envFileQuote(name: string, value: string): string {
  assertOneLine(name, value);
  if (value.includes("'")) throw new Error(`${name} must not contain a single quote`);
  return `'${value}'`;
}
