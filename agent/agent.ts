/**
 * The node agent: reads the GPUs, follows the kernel log and the cloud's preemption notices, and
 * keeps the control plane told. Start-up order:
 *
 *   1. saved state (undelivered reports) and the cloud's metadata, while the GPU source opens;
 *   2. inventory, first readings and boot checks; the kernel log is followed from then on;
 *   3. registration (retried until it succeeds) carrying the boot checks, so a node that fails
 *      them never counts as capacity;
 *   4. heartbeats, health reports and command polling, each on its interval.
 *
 * Events found before registration wait in the outbox and go out, in order, once it succeeds.
 * Urgent events (a fatal XID, a spot notice, a failed read) are sent at once rather than at the
 * next health interval.
 */
import type {
  AgentHost,
  CheckResult,
  HealthEvent,
  HealthReport,
  HeartbeatRequest,
  RegisterRequest,
} from '../src/model/index.js';
import { backoffMs, type Clock } from '../src/model/index.js';
import type { Logger } from '../src/log/index.js';
import { heartbeatBody, intervalsAfterRegister, registrationBody } from './bodies.js';
import { bootChecks } from './boot-checks.js';
import type { Cloud } from './cloud/index.js';
import { CommandRunner } from './commands.js';
import type { AgentConfig } from './config.js';
import type { DiagResult } from './diag.js';
import { guardedSample, type GpuSnapshot, type OpenedGpus } from './gpu/index.js';
import { HealthTracker, isUrgent } from './health/index.js';
import { describeHost, HostLoad, readBootId } from './host.js';
import { ApiError, Outbox, ReportSender, StateStore, type ControlPlaneClient, type AgentState } from './report/index.js';
import { AGENT_VERSION } from './version.js';
import { KernelLogWatch } from './kernel-log-watch.js';
import { PciMap, XidScanner, type KernelLogSource } from './xid/index.js';

export type AgentClient = Pick<ControlPlaneClient, 'register' | 'heartbeat' | 'health' | 'commands' | 'ack'>;

export interface AgentDeps {
  clock: Clock;
  log: Logger;
  client: AgentClient;
  openGpus: () => Promise<OpenedGpus>;
  detectCloud: () => Promise<Cloud>;
  /** The kernel log to follow (undefined: none), given the last kmsg record an earlier run read. */
  kernelLog?: (afterSeq: number | undefined) => Promise<KernelLogSource | undefined>;
  bootId?: string;
  host?: AgentHost;
  hostLoad?: { sample(): HeartbeatRequest['host'] };
  diag?: (binary: string, level: number) => Promise<DiagResult>;
  random?: () => number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class Agent {
  readonly outbox: Outbox;
  readonly sender: ReportSender;
  readonly commands: CommandRunner;
  readonly bootId: string;
  /** Current intervals (the register reply may change them). */
  readonly intervals: AgentConfig['intervals'];
  registered = false;
  /** Boot check results, once run. */
  bootResults: CheckResult[] = [];

  private seq: number;
  private heartbeatSeq: number;
  private pending: HealthEvent[] = [];
  private urgentQueued = false;
  private tracker = new HealthTracker([]);
  private gpus: OpenedGpus | undefined;
  private lastSnapshot: GpuSnapshot | undefined;
  private readonly kernelLog: KernelLogWatch;
  private readonly scanner: XidScanner;
  private readonly state: StateStore | undefined;
  private registerBody: RegisterRequest | undefined;
  private registering: Promise<void> | undefined;
  private registeredWaiters: Array<() => void> = [];
  private readonly hostLoad: { sample(): HeartbeatRequest['host'] };
  private readonly log: Logger;
  private runSignal: AbortSignal = new AbortController().signal;

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: AgentDeps,
    saved?: AgentState,
  ) {
    this.log = deps.log;
    this.bootId = deps.bootId ?? readBootId();
    this.intervals = { ...config.intervals };
    this.hostLoad = deps.hostLoad ?? new HostLoad();
    this.state = config.stateDir ? new StateStore(config.stateDir, deps.log) : undefined;
    // Sequence numbers start from the clock so a restarted agent never reuses an id of this boot.
    this.seq = Math.max(deps.clock.now(), saved?.nextSeq ?? 0);
    this.heartbeatSeq = deps.clock.now();
    this.outbox = new Outbox({ capacity: config.bufferSize, onChange: () => this.persist() }, saved?.outbox ?? []);
    if (saved && saved.outbox.length > 0) this.log.info({ reports: saved.outbox.length }, 'undelivered reports from an earlier run are queued');
    this.sender = new ReportSender({
      outbox: this.outbox,
      client: deps.client,
      clock: deps.clock,
      log: deps.log.child({ component: 'reporter' }),
      onUnknownNode: () => this.register(),
      ...(deps.random ? { random: deps.random } : {}),
    });
    this.commands = new CommandRunner({
      nodeId: config.nodeId,
      ack: (id, body) => deps.client.ack(id, body),
      onEvent: (e) => this.addEvents([e]),
      hookTimeoutMs: config.hookTimeoutMs,
      terminateCommand: config.terminateCommand,
      clock: deps.clock,
      log: deps.log.child({ component: 'commands' }),
      ...(config.commandHook ? { hook: config.commandHook } : {}),
      ...(config.dcgmiBinary ? { dcgmiBinary: config.dcgmiBinary } : {}),
      ...(deps.diag ? { diag: deps.diag } : {}),
    });
    this.scanner = new XidScanner({ at: () => deps.clock.now(), window: 60_000 });
    // A kmsg position only means something within the boot it was read in.
    const afterSeq = saved?.bootId === this.bootId ? saved.kmsgSeq : undefined;
    this.kernelLog = new KernelLogWatch(this.scanner, { clock: deps.clock, log: deps.log.child({ component: 'kernel-log' }) }, afterSeq);
  }

  /** Loads the saved state of an earlier run from `config.stateDir`, if any. */
  static async loadState(config: AgentConfig, log: Logger): Promise<AgentState | undefined> {
    return config.stateDir ? new StateStore(config.stateDir, log).load() : undefined;
  }

  /** True when a GPU read has hung inside the driver (the process can then only leave through `forceExit`). */
  get wedged(): boolean {
    return (this.gpus?.source as { wedged?: boolean } | undefined)?.wedged === true;
  }

  /** Resolves once registration has succeeded. */
  whenRegistered(): Promise<void> {
    if (this.registered) return Promise.resolve();
    return new Promise((r) => this.registeredWaiters.push(r));
  }

  private persist(): void {
    this.state?.save({
      version: 1,
      bootId: this.bootId,
      nextSeq: this.seq,
      ...(this.kernelLog.lastSeq === undefined ? {} : { kmsgSeq: this.kernelLog.lastSeq }),
      outbox: [...this.outbox.all()],
    });
  }

  /** Adds events to the next report; an urgent one cuts a report now (events of the same moment share it). */
  addEvents(events: HealthEvent[]): void {
    if (events.length === 0) return;
    this.pending.push(...events);
    if (events.some(isUrgent) && !this.urgentQueued) {
      this.urgentQueued = true;
      setImmediate(() => {
        this.urgentQueued = false;
        this.cutReport();
      });
    }
  }

  /** The checks every report carries: the latest GPU checks and the kernel log's state. */
  private currentChecks(): CheckResult[] {
    return [...this.tracker.checks, ...(this.kernelLog.check ? [this.kernelLog.check] : [])];
  }

  /** Moves the pending events into a new report at the back of the outbox. */
  cutReport(): HealthReport {
    const seq = this.seq++;
    const report: HealthReport = {
      id: `${this.bootId}-${seq}`,
      seq,
      time: iso(this.deps.clock.now()),
      checks: this.currentChecks(),
      events: this.pending.splice(0),
    };
    this.outbox.push(report);
    this.sender.kick();
    return report;
  }

  /** Runs the agent until `signal` aborts, then delivers what it can and saves the rest. */
  async run(signal: AbortSignal): Promise<void> {
    this.runSignal = signal;
    const tasks: Array<Promise<unknown>> = [];
    const cloudP = this.deps.detectCloud().catch((err: unknown): Cloud => {
      this.log.warn({ err: message(err) }, 'cannot read the cloud metadata service');
      return { name: 'none' };
    });
    this.gpus = await this.deps.openGpus();
    const inv = this.gpus.inventory;
    this.tracker = new HealthTracker(inv?.gpus.map((g) => g.index) ?? [], this.config.thresholds);
    this.scanner.setPciMap(new PciMap(inv?.gpus ?? []));
    const kernelLog = this.deps.kernelLog;
    if (kernelLog) tasks.push(this.kernelLog.run(() => kernelLog(this.kernelLog.lastSeq), (e: HealthEvent) => this.addEvents([e]), signal));

    const first = await this.sample();
    this.bootResults = await bootChecks({
      gpus: this.gpus,
      firstChecks: first.checks,
      dcgm: this.config.dcgm,
      ...(this.config.expectGpus === undefined ? {} : { expectGpus: this.config.expectGpus }),
      ...(this.config.dcgmiBinary ? { dcgmiBinary: this.config.dcgmiBinary } : {}),
      ...(this.deps.diag ? { diag: this.deps.diag } : {}),
    });
    for (const c of this.bootResults.filter((c) => c.status !== 'pass')) this.log.warn({ check: c.name, status: c.status }, c.message);

    const cloud = await cloudP;
    if (cloud.watcher) {
      const watcher = cloud.watcher;
      tasks.push(watcher.run((e) => {
        this.log.warn({ cloud: e.cloud, action: e.action, at: e.at }, 'preemption notice');
        this.addEvents([e]);
      }, signal));
    }
    const host = this.deps.host ?? describeHost(AGENT_VERSION, this.bootId);
    this.registerBody = registrationBody(this.config.identity, cloud.identity, this.gpus.inventory?.gpus ?? [], host, this.bootResults);
    await this.registerLoop(signal);
    if (signal.aborted) return this.stop(tasks);

    tasks.push(this.sender.run(signal), this.heartbeatLoop(signal), this.healthLoop(signal), this.commandLoop(signal));
    await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    return this.stop(tasks);
  }

  private async stop(tasks: Array<Promise<unknown>>): Promise<void> {
    await Promise.allSettled(tasks);
    if (this.pending.length > 0) this.cutReport();
    // One last try to deliver what is held, bounded so a dead control plane cannot hold up a shutdown.
    if (this.registered && this.outbox.size > 0) {
      const flush = new AbortController();
      const timer = setTimeout(() => flush.abort(), this.config.flushOnExitMs);
      await Promise.race([this.sender.whenEmpty(), this.sender.run(flush.signal)]).catch(() => undefined);
      flush.abort();
      clearTimeout(timer);
    }
    this.persist();
    await this.state?.flush();
    if (this.outbox.size > 0) this.log.warn({ reports: this.outbox.size, saved: Boolean(this.state) }, 'stopping with undelivered reports');
    await this.gpus?.source.close().catch(() => undefined);
  }

  /** Registers once; the caller retries. Applies the intervals the control plane asks for. */
  private async registerOnce(): Promise<void> {
    if (!this.registerBody) return;
    const res = await this.deps.client.register(this.registerBody);
    Object.assign(this.intervals, intervalsAfterRegister(this.intervals, this.config.fixedIntervals, res));
    this.registered = true;
    this.log.info({ node: this.config.nodeId, intervals: this.intervals }, 'registered with the control plane');
    for (const w of this.registeredWaiters.splice(0)) w();
  }

  /** Registers again (after the server forgot the node); one attempt at a time, retried until it works. */
  register(): Promise<void> {
    this.registering ??= this.registerLoop(this.runSignal).finally(() => (this.registering = undefined));
    return this.registering;
  }

  private async registerLoop(signal: AbortSignal): Promise<void> {
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.registerOnce();
        return;
      } catch (err) {
        const wait = backoffMs(Math.min(attempt, 10), { baseMs: 1000, maxMs: 30_000, ...(this.deps.random ? { random: this.deps.random } : {}) });
        if (attempt === 1 || attempt % 10 === 0) this.log.warn({ err: message(err), retryMs: wait }, 'cannot register with the control plane; retrying');
        await this.deps.clock.sleep(wait, signal).catch(() => undefined);
      }
    }
  }

  /** Reads the GPUs (never hangs, never throws) and turns the readings into events and checks. */
  private async sample(): Promise<{ snap: GpuSnapshot; checks: CheckResult[] }> {
    const source = this.gpus?.source;
    const now = (): number => this.deps.clock.now();
    const snap: GpuSnapshot = source
      ? // A little longer than the sources' own deadlines, so a source that names the call that hung is heard first.
        await guardedSample(source, this.config.gpu.sampleTimeoutMs + 2000, now)
      : { time: now(), gpus: [], failures: [{ call: 'gpu source', error: 'no GPU source' }] };
    if (!this.gpus?.inventory && this.gpus?.failure) snap.failures.unshift(this.gpus.failure);
    this.lastSnapshot = snap;
    const ev = this.tracker.observe(snap, iso(snap.time));
    this.addEvents(ev.events);
    return { snap, checks: ev.checks };
  }

  private async heartbeatLoop(signal: AbortSignal): Promise<void> {
    let failing = false;
    while (!signal.aborted) {
      const { snap } = await this.sample();
      const body = heartbeatBody(this.heartbeatSeq++, iso(this.deps.clock.now()), snap, this.hostLoad.sample());
      try {
        const res = await this.deps.client.heartbeat(body);
        failing = false;
        this.commands.handle(res.commands);
      } catch (err) {
        if (err instanceof ApiError && err.kind === 'unknown-node') void this.register();
        else if (!failing) this.log.warn({ err: message(err) }, 'heartbeat failed');
        failing = true;
      }
      await this.deps.clock.sleep(this.intervals.heartbeatMs, signal).catch(() => undefined);
    }
  }

  private async healthLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.deps.clock.sleep(this.intervals.healthMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      // Heartbeats usually keep the readings fresh; read again when they have not.
      const age = this.deps.clock.now() - (this.lastSnapshot?.time ?? 0);
      if (age >= this.intervals.healthMs) await this.sample();
      this.cutReport();
    }
  }

  private async commandLoop(signal: AbortSignal): Promise<void> {
    let failing = false;
    while (!signal.aborted) {
      await this.deps.clock.sleep(this.intervals.commandMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      try {
        this.commands.handle(await this.deps.client.commands());
        failing = false;
      } catch (err) {
        if (!failing) this.log.warn({ err: message(err) }, 'cannot poll for commands');
        failing = true;
      }
    }
  }
}
