/** What each agent command receives: where to print, stdin, the environment. Tests pass their own. */
import { processOutput } from '../../src/log/index.js';

export interface AgentCliContext {
  stdout: { write(text: string): void; isTTY?: boolean };
  /** Where the agent's log goes; a terminal gets text records. */
  stderr: { write(text: string): void; isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Set by commands; `main` returns it. */
  exitCode: number;
}

/**
 * The real process. `navarch-agent xid parse | head` closes the pipe early: the reader's choice,
 * not an error; and an agent whose output went away keeps running (see src/log/output.ts).
 */
export function processContext(): AgentCliContext {
  const { stdout, stderr } = processOutput();
  return {
    stdout,
    stderr,
    stdin: process.stdin,
    env: process.env,
    exitCode: 0,
  };
}
