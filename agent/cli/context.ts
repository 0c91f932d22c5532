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
  return {
    stdout: { write: (t) => void process.stdout.write(t) },
    stderr: { write: (t) => void process.stderr.write(t) },
    stdin: process.stdin,
    env: process.env,
    exitCode: 0,
  };
}
