import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../model/index.js';
import { createAction } from '../plan/fixtures.js';
import { colors, type Output } from './context.js';
import { fit, Progress } from './progress.js';

const T0 = Date.parse('2026-01-05T10:00:00.000Z');
const REDRAW = '\r\u001b[2K';

let progress: Progress | undefined;
afterEach(() => progress?.stop());

/** Applies five long-named creates on a terminal `columns` wide; returns the status lines drawn. */
function draw(columns: number | undefined, tty = true): { out: string; statusLines: string[] } {
  let out = '';
  const stream: Output = { write: (t) => void (out += t), isTTY: tty, columns };
  const clock = new ManualClock(T0);
  progress = new Progress(stream, colors(false), clock, 5, tty);
  for (let i = 0; i < 5; i++) progress.handle({ type: 'start', action: createAction('training-cluster-eu', `training-cluster-eu-${i}`, 'below target') });
  clock.advance(83_000);
  progress.handle({ type: 'step', action: createAction('training-cluster-eu', 'training-cluster-eu-0', 'x'), message: 'instance pending' });
  // A clear followed by text and no newline before the next clear is the status line (an event line ends with one).
  const statusLines = out
    .split(REDRAW)
    .slice(1)
    .filter((s) => s !== '' && !s.includes('\n'));
  return { out, statusLines };
}

describe('apply progress', () => {
  it("cuts the line redrawn in place to the terminal's width", () => {
    const { statusLines } = draw(40);
    expect(statusLines.length).toBeGreaterThan(0);
    for (const line of statusLines) expect([...line].length).toBeLessThanOrEqual(39);
    expect(statusLines.at(-1)).toBe('Applying 0/5: training-cluster-eu-0 1m…');
  });

  it('leaves it whole when the width is unknown, and draws none off a terminal', () => {
    expect(draw(undefined).statusLines.at(-1)).toBe(
      'Applying 0/5: training-cluster-eu-0 1m23s, training-cluster-eu-1 1m23s, training-cluster-eu-2 1m23s, training-cluster-eu-3 1m23s +1',
    );
    const off = draw(40, false);
    expect(off.out).not.toContain(REDRAW);
    expect(off.out).toContain('  + training-cluster-eu-0: instance pending\n');
  });

  it('fit keeps text that fits and marks what it cut', () => {
    expect(fit('abcdef', 7)).toBe('abcdef');
    expect(fit('abcdefg', 7)).toBe('abcde…');
    expect(fit('abc', undefined)).toBe('abc');
  });
});
