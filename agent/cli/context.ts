/** What each agent command receives: where to print, stdin, the environment. Tests pass their own. */
export interface AgentCliContext {
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
  stdin: NodeJS.ReadableStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Set by commands; `main` returns it. */
  exitCode: number;
}

export function processContext(): AgentCliContext {
  // `navarch-agent xid parse | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  return {
    stdout: { write: (t) => void process.stdout.write(t) },
    stderr: { write: (t) => void process.stderr.write(t) },
    stdin: process.stdin,
    env: process.env,
    exitCode: 0,
  };
}
