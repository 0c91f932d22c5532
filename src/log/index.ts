/**
 * One root logger (pino) for the whole process; areas take `child({component, pool, node})`.
 * Every string and object passes through redaction before it is written. Records are JSON lines,
 * or text lines for a person at a terminal (text.ts); either way each carries its time, and no key
 * twice. The process's own stdout and stderr, guarded against a reader that went away, are here
 * too (output.ts).
 */
import { pino, type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redact, redactValue } from '../model/index.js';
import { textDestination } from './text.js';

export { processOutput, type ProcessOutput } from './output.js';
export { textLine } from './text.js';

export type Logger = PinoLogger;

/** How records are written: `json` (one object per line) or `text` (for a terminal). */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The levels `--log-level` takes, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export interface LoggerOptions {
  level?: string;
  /** Where to write; stderr by default so stdout stays clean for command output. */
  destination?: DestinationStream;
  /** `json` unless told otherwise. */
  format?: LogFormat;
  /** Colour the level of text records (the caller decides: a terminal, NO_COLOR, --no-color). */
  color?: boolean;
  /** Where record times come from (default the system clock), so tests can pin them. */
  clock?: { now(): number };
}

/** Creates a root logger that redacts secrets from messages and metadata. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.destination ?? pino.destination(2);
  const clock = options.clock;
  const root = pino(
    {
      level: options.level ?? process.env['NAVARCH_LOG_LEVEL'] ?? 'warn',
      base: null,
      ...(clock ? { timestamp: () => `,"time":${clock.now()}` } : {}),
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a: unknown) => (typeof a === 'string' ? redact(a) : redactValue(a))) as Parameters<typeof method>;
          const [first, ...rest] = cleaned;
          if (first !== null && typeof first === 'object' && !(first instanceof Error)) {
            // A key the logger already binds, given again for one record, would be written twice:
            // the record is written by a child that binds the new value instead.
            const bound = this.bindings();
            const again = Object.keys(first).filter((k) => Object.hasOwn(bound, k));
            if (again.length > 0) {
              const own = Object.fromEntries(again.map((k) => [k, (first as Record<string, unknown>)[k]]));
              const others = Object.fromEntries(Object.entries(first).filter(([k]) => !again.includes(k)));
              return method.apply(this.child(own), [others, ...rest] as Parameters<typeof method>);
            }
          }
          return method.apply(this, cleaned);
        },
      },
    },
    options.format === 'text' ? textDestination(out as Parameters<typeof textDestination>[0], options.color ?? false) : out,
  );
  return uniqueBindings(root);
}

/**
 * pino appends a child's bindings to its parent's, so `child({component: 'gpu'})` of a logger bound
 * to `component: 'agent'` writes `component` twice. Every child of this root instead replaces a key
 * it binds again: it is made from the root with the merged bindings (and the parent's level).
 */
function uniqueBindings(root: Logger): Logger {
  const child = Object.getPrototypeOf(root).child as (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) => Logger;
  Object.defineProperty(root, 'child', {
    value: function (this: Logger, bindings: Bindings, options?: ChildLoggerOptions): Logger {
      const bound = this.bindings();
      if (!Object.keys(bindings).some((k) => Object.hasOwn(bound, k))) return child.call(this, bindings, options);
      return child.call(root, { ...bound, ...bindings }, { level: this.level, ...options });
    },
    writable: true,
    configurable: true,
  });
  return root;
}

/** A logger that discards everything (tests, pure code paths). */
export const silentLogger: Logger = pino({ level: 'silent' });
