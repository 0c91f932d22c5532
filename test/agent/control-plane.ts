/**
 * What the agent's process tests need from a control plane. The loopback receiver (receiver.ts)
 * implements it; a thin adapter around the real `navarch serve` can implement it too, so the same
 * tests run against either (see `startControlPlane`).
 */
import type { CommandAck, CommandKind, HealthReport, HeartbeatRequest, RegisterRequest } from '../../src/model/index.js';

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
}
