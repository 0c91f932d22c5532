/**
 * `/dev/kmsg` records: `PRIO,SEQ,TIMESTAMP_US,FLAGS[,...];MESSAGE`, then continuation lines
 * (` KEY=VALUE`) that carry device metadata. Non-printable bytes in MESSAGE arrive as `\xNN`.
 */

export interface KmsgRecord {
  /** Syslog level (0 emerg … 7 debug). */
  level: number;
  facility: number;
  /** Sequence number, increasing across the boot; a gap means records were overwritten unread. */
  seq: number;
  /** Microseconds since boot. */
  timestampUs: number;
  message: string;
}

const HEAD = /^(\d+),(\d+),(\d+),[^;]*;/;

/** Parses one record; undefined when `text` is not a kmsg record. */
export function parseKmsgRecord(text: string): KmsgRecord | undefined {
  const m = HEAD.exec(text);
  if (!m) return undefined;
  const prio = Number(m[1]);
  const body = text.slice(m[0].length);
  const nl = body.indexOf('\n');
  const message = (nl === -1 ? body : body.slice(0, nl)).replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
  return { level: prio & 7, facility: prio >> 3, seq: Number(m[2]), timestampUs: Number(m[3]), message };
}
