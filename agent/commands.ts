/**
 * Commands from the control plane, each run once and acknowledged. cordon, uncordon and drain run
 * the operator's hook when one is configured (e.g. a script calling `kubectl cordon` or
 * `scontrol update`), and are otherwise acknowledged as recorded: the control plane does the
 * scheduling side through its notifier. terminate-self schedules a shutdown; run-diagnostic runs
 * DCGM and reports the result as a health event. A command seen again (its ack was lost) is not
 * run again: its result is acknowledged again.
 */
import type { CommandAck, HealthEvent, NodeCommand } from '../src/model/index.js';
import type { Clock } from '../src/model/index.js';
import type { Logger } from '../src/log/index.js';
import { dcgmiPath, runDiag, type DiagResult } from './diag.js';
import { describeFailure, run } from './exec.js';

export interface CommandRunnerOptions {
  nodeId: string;
  ack: (commandId: string, body: CommandAck) => Promise<void>;
  /** Health events a command produces (diagnostic results). */
  onEvent: (event: HealthEvent) => void;
  /** Executable run as `HOOK <kind>` for cordon, uncordon and drain. */
  hook?: string;
  hookTimeoutMs: number;
  /** argv of the command that shuts the machine down. */
  terminateCommand: string[];
  dcgmiBinary?: string;
  clock: Clock;
  log: Logger;
  /** Replaceable for tests. */
  diag?: (binary: string, level: number) => Promise<DiagResult>;
}

/** How many finished commands are remembered (to re-acknowledge, never to re-run). */
const REMEMBERED = 500;

export class CommandRunner {
  /** What the node has been told; reported in logs and used by hooks through the environment. */
  readonly state = { cordoned: false, draining: false };
  private readonly done = new Map<string, { ack: CommandAck; acked: boolean }>();
  private readonly running = new Map<string, Promise<void>>();
  private diagnosing = false;
  /**
   * Commands run one after another in the order they came, so a cordon, drain, uncordon sequence
   * ends uncordoned. Diagnostics, which can take an hour, have their own lane.
   */
  private lanes: Record<'lifecycle' | 'diagnostic', Promise<unknown>> = { lifecycle: Promise.resolve(), diagnostic: Promise.resolve() };

  constructor(private readonly o: CommandRunnerOptions) {}

  /** Starts every command not seen before; re-acknowledges finished ones whose ack did not arrive. */
  handle(commands: NodeCommand[]): void {
    for (const c of commands) {
      if (!c || typeof c.id !== 'string') continue;
      if (this.running.has(c.id)) continue;
      const done = this.done.get(c.id);
      if (done) {
        void this.sendAck(c.id, done);
        continue;
      }
      const lane = c.kind === 'run-diagnostic' ? 'diagnostic' : 'lifecycle';
      const p = this.lanes[lane]
        .then(() => this.execute(c))
        .catch((err: unknown): CommandAck => ({ result: 'failed', message: err instanceof Error ? err.message : String(err) }))
        .then(async (ack) => {
          const entry = { ack, acked: false };
          this.remember(c.id, entry);
          this.running.delete(c.id);
          await this.sendAck(c.id, entry);
        });
      this.lanes[lane] = p;
      this.running.set(c.id, p);
    }
  }

  /** Resolves when every started command has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private remember(id: string, entry: { ack: CommandAck; acked: boolean }): void {
    this.done.set(id, entry);
    while (this.done.size > REMEMBERED) this.done.delete(this.done.keys().next().value as string);
  }

  private async sendAck(id: string, entry: { ack: CommandAck; acked: boolean }): Promise<void> {
    try {
      await this.o.ack(id, entry.ack);
      entry.acked = true;
    } catch (err) {
      // The command stays pending on the server and comes back with the next poll; it is acknowledged then.
      this.o.log.warn({ command: id, err: err instanceof Error ? err.message : String(err) }, 'cannot acknowledge a command; will retry');
    }
  }

  private async execute(c: NodeCommand): Promise<CommandAck> {
    this.o.log.info({ command: c.id, kind: c.kind, reason: c.reason }, 'command received');
    switch (c.kind) {
      case 'cordon':
      case 'uncordon':
      case 'drain': {
        const ack = await this.runHook(c);
        if (ack.result === 'ok') {
          if (c.kind === 'cordon') this.state.cordoned = true;
          if (c.kind === 'uncordon') Object.assign(this.state, { cordoned: false, draining: false });
          if (c.kind === 'drain') Object.assign(this.state, { cordoned: true, draining: true });
        }
        return ack;
      }
      case 'terminate-self':
        return this.terminate();
      case 'run-diagnostic':
        return this.diagnose(c);
      default:
        return { result: 'rejected', message: `unknown command kind '${String((c as { kind: unknown }).kind)}'` };
    }
  }

  private async runHook(c: NodeCommand): Promise<CommandAck> {
    if (!this.o.hook) return { result: 'ok', message: `${c.kind} recorded (no command hook configured on the node)` };
    const env = {
      ...process.env,
      NAVARCH_COMMAND: c.kind,
      NAVARCH_COMMAND_ID: c.id,
      NAVARCH_COMMAND_REASON: c.reason ?? '',
      NAVARCH_COMMAND_PARAMS: JSON.stringify(c.params ?? {}),
      NAVARCH_NODE_ID: this.o.nodeId,
    };
    const r = await run(this.o.hook, [c.kind], { timeoutMs: this.o.hookTimeoutMs, env });
    if (r.code === 0) return { result: 'ok', message: r.stdout.trim().split('\n').slice(-1)[0] || `${c.kind} done by the hook` };
    return { result: 'failed', message: describeFailure(`command hook (${c.kind})`, r, this.o.hookTimeoutMs) };
  }

  private async terminate(): Promise<CommandAck> {
    const [file, ...args] = this.o.terminateCommand;
    if (!file) return { result: 'rejected', message: 'no terminate command configured' };
    const r = await run(file, args, { timeoutMs: 30_000 });
    if (r.code === 0) {
      this.o.log.warn({ command: this.o.terminateCommand.join(' ') }, 'shutting down on the control plane\'s order');
      return { result: 'ok', message: `shutdown ordered: ${this.o.terminateCommand.join(' ')}` };
    }
    return { result: 'failed', message: describeFailure(file, r, 30_000) };
  }

  private async diagnose(c: NodeCommand): Promise<CommandAck> {
    const raw = c.params?.['level'];
    const level = raw === undefined ? 1 : Number(raw);
    if (!Number.isInteger(level) || level < 1 || level > 4) return { result: 'rejected', message: `diagnostic level must be 1 to 4, not ${String(raw)}` };
    const binary = dcgmiPath(this.o.dcgmiBinary);
    if (!binary) return { result: 'rejected', message: 'DCGM (dcgmi) is not installed on this node' };
    if (this.diagnosing) return { result: 'rejected', message: 'a diagnostic is already running' };
    this.diagnosing = true;
    try {
      const r = await (this.o.diag ?? runDiag)(binary, level);
      this.o.onEvent({ kind: 'diagnostic', time: new Date(this.o.clock.now()).toISOString(), level, passed: r.passed, message: r.message });
      return { result: r.passed ? 'ok' : 'failed', message: r.message, details: { level, passed: r.passed } };
    } finally {
      this.diagnosing = false;
    }
  }
}
