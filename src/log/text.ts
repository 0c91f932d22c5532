/**
 * The text log format, for a person at a terminal, laid out as pino-pretty does without its weight:
 * `2026-01-05T10:04:00.000Z INFO  reconcile done component=control-plane result=applied actions=2`.
 * It is made from the JSON line pino writes, so both formats always carry the same records.
 */
import type { DestinationStream } from 'pino';

const LABELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** SGR colours by hand: the node agent shares this file and carries no colour library. */
const sgr =
  (open: number, close: number) =>
  (s: string): string =>
    `\x1b[${open}m${s}\x1b[${close}m`;
const PAINT = { dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39) };
const PLAIN = { dim: String, red: String, yellow: String, green: String };

/** A value as `key=value` shows it: bare when that is unambiguous, else as JSON. */
function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=\\]+$/.test(value) ? value : JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}

function time(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  return typeof value === 'string' ? value : '-';
}

/** One JSON log line as one text line (a line that is not a JSON object passes through). */
export function textLine(json: string, color: boolean): string {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return json.endsWith('\n') ? json : `${json}\n`;
  const c = color ? PAINT : PLAIN;
  const { time: at, level, msg, ...rest } = record as Record<string, unknown>;
  const label = (typeof level === 'number' ? LABELS[level] : undefined) ?? String(level ?? '').toUpperCase();
  const paint = typeof level !== 'number' ? String : level >= 50 ? c.red : level >= 40 ? c.yellow : level >= 30 ? c.green : c.dim;
  // One record, one line: a message with line breaks keeps them escaped.
  const message = typeof msg === 'string' ? msg.replace(/\r?\n/g, '\\n') : msg === undefined ? '' : show(msg);
  const pairs = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${c.dim(`${k}=`)}${show(v)}`);
  return `${[c.dim(time(at)), paint(label.padEnd(5)), message, ...pairs].filter((s) => s !== '').join(' ')}\n`;
}

/** A destination that writes each record as a text line to `out`. */
export function textDestination(out: { write(text: string): unknown; flush?: (cb: (err?: Error) => void) => void }, color: boolean): DestinationStream & {
  flush(cb: (err?: Error) => void): void;
} {
  return {
    write: (line: string) => void out.write(textLine(line, color)),
    flush: (cb) => (out.flush ? out.flush(cb) : cb()),
  };
}
