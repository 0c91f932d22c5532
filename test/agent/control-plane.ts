/**
 * What the agent's process tests need from a control plane. The loopback receiver (receiver.ts)
 * implements all of it; the real `navarch serve` stands behind the same interface through
 * serve-control-plane.ts, and the same tests run against both (agent.process.test.ts and
 * agent-serve.process.test.ts). Another adapter module, exporting `startControlPlane`, can be
 * named in NAVARCH_AGENT_CONTROL_PLANE. Optional members are outage and failure simulations a
 * real server may not offer; tests that need them skip without them.
 */
import type { CommandAck, CommandKind, HealthReport, HeartbeatRequest, RegisterRequest } from '../../src/model/index.js';

export interface ControlPlaneOptions {
  /** Intervals the register reply asks for, in seconds. */
  intervals?: { heartbeatIntervalSec?: number; healthIntervalSec?: number; commandPollIntervalSec?: number };
}

export interface ControlPlaneUnderTest {
  /** Base URL the agent is given as --server. */
  readonly url: string;
  /** A token the control plane accepts for `nodeId` (created on first call). */
  tokenFor(nodeId: string): Promise<string>;
  registrations(nodeId: string): Promise<RegisterRequest[]>;
  heartbeats(nodeId: string): Promise<HeartbeatRequest[]>;
  /** Health reports stored, each once, in the order they were first received. */
  reports(nodeId: string): Promise<HealthReport[]>;
  /** Queues a command for the node; returns its id. */
  sendCommand(nodeId: string, kind: CommandKind, params?: Record<string, unknown>): Promise<string>;
  acks(nodeId: string): Promise<Array<{ commandId: string; ack: CommandAck }>>;
  /** Stops answering: connections are refused until `resume`. */
  stop(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
  /** When a report was stored (ms since the epoch). */
  storedAt?(nodeId: string, reportId: string): Promise<number | undefined>;
  /** How the control plane judges the node now (a real server judges; the receiver only stores). */
  health?(nodeId: string): Promise<{ health: string; reason: string | undefined } | undefined>;
  /** Forgets the node, as a control plane that lost its store would. */
  forget?(nodeId: string): Promise<void>;
  /** Accepts connections but answers nothing until `resume`. */
  hang?(): Promise<void>;
  /** Bodies refused as malformed so far (each with what was wrong). */
  malformed?(): Array<{ route: string; errors: string[] }>;
}

/** The control plane the process tests run against: the adapter named in the environment, or the loopback receiver. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlaneUnderTest> {
  const adapter = process.env['NAVARCH_AGENT_CONTROL_PLANE'];
  if (adapter) {
    const mod = (await import(adapter)) as { startControlPlane: (o: ControlPlaneOptions) => Promise<ControlPlaneUnderTest> };
    return mod.startControlPlane(opts);
  }
  const { Receiver } = await import('./receiver.js');
  return Receiver.start(opts);
}
