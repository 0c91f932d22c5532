/** What a fleet lock records, and how a held lock is described to the person waiting for it. */
import { hostname, userInfo } from 'node:os';
import { formatDuration } from '../model/index.js';

/** The content of `lock.json` in a lock commit. */
export interface LockInfo {
  /** Random id; `navarch force-unlock ID` must name it. */
  id: string;
  /** `user@host pid N` of the process holding it. */
  holder: string;
  /** What it is doing, e.g. `navarch apply`. */
  command: string;
  fleet: string;
  /** ISO-8601 times. */
  started: string;
  /** The holder renews this while it works; once passed, anyone may take the lock over. */
  expires: string;
  /** The holding process and its host (absent in locks written by older versions). */
  pid?: number;
  host?: string;
}

/** `user@host pid N` for this process. */
export function currentHolder(env: Readonly<Record<string, string | undefined>> = process.env): string {
  let user = env['USER'] ?? env['USERNAME'] ?? 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    // Containers without a passwd entry for the uid.
  }
  return `${user}@${hostname()} pid ${process.pid}`;
}

/** Parses lock.json; undefined when it is not a lock this version understands. */
export function parseLockInfo(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const keys = ['id', 'holder', 'command', 'fleet', 'started', 'expires'] as const;
    if (keys.every((k) => typeof v[k] === 'string') && Number.isFinite(Date.parse(v['expires'] as string))) {
      const info = Object.fromEntries(keys.map((k) => [k, v[k]])) as unknown as LockInfo;
      if (Number.isSafeInteger(v['pid'])) info.pid = v['pid'] as number;
      if (typeof v['host'] === 'string') info.host = v['host'];
      return info;
    }
  } catch {
    // fall through
  }
  return undefined;
}

export function serializeLockInfo(info: LockInfo): string {
  return `${JSON.stringify(info, null, 2)}\n`;
}

/** One line naming the holder, what it runs, since when, and when the lock expires. */
export function describeLock(info: LockInfo, now: number): string {
  const left = Date.parse(info.expires) - now;
  const expiry = left > 0 ? `expires in ${formatDuration(left)} unless renewed` : `expired ${formatDuration(-left)} ago`;
  return `${info.holder} (${info.command}) since ${info.started}, ${expiry}; lock id ${info.id}`;
}
