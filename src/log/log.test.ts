import { describe, expect, it } from 'vitest';
import { ManualClock } from '../model/index.js';
import { createLogger, textLine, type LoggerOptions } from './index.js';
import { duplicateKey } from './testing.js';

const T0 = Date.parse('2026-01-05T10:04:00.000Z');

function capture(options: LoggerOptions = {}): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', clock: new ManualClock(T0), ...options, destination: { write: (s: string) => void lines.push(s) } });
  return { lines, logger };
}

describe('duplicateKey', () => {
  it('finds a key written twice at any depth, and none in JSON without one', () => {
    expect(duplicateKey('{"a":1,"b":{"c":[1,{"d":"x\\"y"}]},"e":null}')).toBeUndefined();
    expect(duplicateKey('{"component":"agent","component":"gpu"}')).toBe('component');
    expect(duplicateKey('{"a":{"b":1,"b":2}}')).toBe('b');
    expect(() => duplicateKey('{"a":1')).toThrow(/not JSON/);
  });
});

describe('createLogger', () => {
  it('writes a key bound again by a child once, with the child value', () => {
    const { lines, logger } = capture();
    logger.child({ component: 'agent', node: 'train-1' }).child({ component: 'gpu' }).info('sampled');
    expect(lines).toHaveLength(1);
    expect(duplicateKey(lines[0] as string)).toBeUndefined();
    expect(JSON.parse(lines[0] as string)).toEqual({ level: 30, time: T0, component: 'gpu', node: 'train-1', msg: 'sampled' });
  });

  it('keeps the level of the parent when it rebuilds a child', () => {
    const { lines, logger } = capture();
    const quiet = logger.child({ component: 'a' }, { level: 'warn' });
    quiet.child({ component: 'b' }).info('dropped');
    quiet.child({ component: 'b' }).warn('kept');
    expect(lines.map((l) => JSON.parse(l) as { msg: string; component: string })).toEqual([expect.objectContaining({ msg: 'kept', component: 'b' })]);
  });

  it('writes a bound key given again in one record once, with the record value', () => {
    const { lines, logger } = capture();
    logger.child({ component: 'nodes' }).warn({ component: 'limits', node: 'x' }, 'slow');
    expect(duplicateKey(lines[0] as string)).toBeUndefined();
    expect(JSON.parse(lines[0] as string)).toMatchObject({ component: 'limits', node: 'x', msg: 'slow' });
  });

  it('writes text lines with the time, the level, the message and key=value pairs', () => {
    const { lines, logger } = capture({ format: 'text' });
    logger.child({ component: 'control-plane' }).info({ result: 'applied', actions: 2, reason: 'push to main' }, 'reconcile done');
    logger.error({ err: 'two\nlines' }, 'reconcile failed:\nbadly');
    expect(lines).toEqual([
      '2026-01-05T10:04:00.000Z INFO  reconcile done component=control-plane result=applied actions=2 reason="push to main"\n',
      '2026-01-05T10:04:00.000Z ERROR reconcile failed:\\nbadly err="two\\nlines"\n',
    ]);
  });

  it('colours the level of a text line only when asked', () => {
    expect(textLine('{"level":40,"time":0,"msg":"m"}', false)).toBe('1970-01-01T00:00:00.000Z WARN  m\n');
    expect(textLine('{"level":40,"time":0,"msg":"m"}', true)).toContain('\u001b[33mWARN \u001b[39m');
  });

  it('redacts secrets from messages and metadata in either format', () => {
    for (const format of ['json', 'text'] as const) {
      const { lines, logger } = capture({ format });
      logger.info({ token: 'abcdefgh12345678', url: 'https://u:hunter2hunter2@example.com/x' }, 'Bearer abcdefgh12345678');
      expect(lines.join('')).not.toMatch(/abcdefgh12345678|hunter2/);
    }
  });
});
