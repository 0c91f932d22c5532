/** Terraform's approval prompt: only the exact answer `yes` approves. */
import { createInterface } from 'node:readline/promises';
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
