/** Prompts: Terraform's approval (only the exact answer `yes` approves), and the questions init asks. */
import { createInterface } from 'node:readline/promises';
import { NavarchError } from '../model/index.js';
import type { CliContext } from './context.js';

export async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: { write: (s: string) => ctx.stdout.write(s) } as NodeJS.WritableStream, terminal: false });
  try {
    const answer = await rl.question(`${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

/** Questions asked one after another on one terminal; see `questions`. */
export interface Questions {
  /**
   * Asks until `check` accepts the answer (an empty line takes `fallback`); `check` returns the
   * value, or throws a NavarchError whose message is shown before asking again. Undefined when
   * the input ends first.
   */
  ask<T>(question: string, fallback: string, check: (answer: string) => T): Promise<T | undefined>;
  close(): void;
}

/**
 * Opens `ctx.stdin` for several questions. Lines are read through one iterator, so answers typed
 * (or piped) ahead of their question are kept for it rather than lost between questions.
 */
export function questions(ctx: CliContext): Questions {
  const rl = createInterface({ input: ctx.stdin, output: { write: (s: string) => ctx.stdout.write(s) } as NodeJS.WritableStream, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(question, fallback, check) {
      for (;;) {
        ctx.stdout.write(`${question} [${fallback}]: `);
        const next = await lines.next();
        if (next.done) {
          ctx.stdout.write('\n');
          return undefined;
        }
        const answer = (next.value as string).trim() || fallback;
        try {
          return check(answer);
        } catch (err) {
          if (!(err instanceof NavarchError)) throw err;
          ctx.stdout.write(`  ${err.message}\n`);
        }
      }
    },
    close: () => rl.close(),
  };
}
