/** Durations as users write them: `90s`, `10m`, `1h30m`, `500ms`, or a bare number of seconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Parses a duration into milliseconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(PART)) total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return total;
}

/** Formats milliseconds compactly (`1h30m`, `45s`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

/**
 * An age as a person reads it at a glance, in its two largest units, as kubectl shows them:
 * `14s`, `5m3s`, `3h12m`, `2d4h`, `45d`. Negative ages (a clock ahead of the writer's) read `0s`.
 */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const first = units.findIndex(([, size]) => s >= size);
  if (first < 0) return '0s';
  const [unit, size] = units[first] as [string, number];
  const whole = Math.floor(s / size);
  const next = units[first + 1];
  // Past ten days the hours no longer matter.
  if (!next || (unit === 'd' && whole >= 10)) return `${whole}${unit}`;
  const rest = Math.floor((s - whole * size) / next[1]);
  return rest > 0 ? `${whole}${unit}${rest}${next[0]}` : `${whole}${unit}`;
}
