/**
 * One root logger (pino) for the whole process; areas take `child({component, pool, node})`.
 * Every string and object passes through redaction before it is written. The process's own
 * stdout and stderr, guarded against a reader that went away, are here too (output.ts).
 */
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { redact, redactValue } from '../model/index.js';

export { processOutput, type ProcessOutput } from './output.js';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level?: string;
  /** Where to write; stderr by default so stdout stays clean for command output. */
  destination?: DestinationStream;
}

/** Creates a root logger that redacts secrets from messages and metadata. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env['NAVARCH_LOG_LEVEL'] ?? 'warn',
      base: null,
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a: unknown) => (typeof a === 'string' ? redact(a) : redactValue(a)));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that discards everything (tests, pure code paths). */
export const silentLogger: Logger = pino({ level: 'silent' });
