/** What apply reports while it works; the CLI turns these into progress lines. */
import type { Action, Instance } from '../model/index.js';

export type ApplyEvent =
  | { type: 'start'; action: Action }
  | { type: 'step'; action: Action; message: string }
  | { type: 'retry'; action: Action; error: string; attempt: number; waitMs: number }
  | { type: 'failover'; action: Action; from: string; to: string; error: string }
  /** `started`: a lifecycle took the action over and finishes it in a later pass. */
  | { type: 'done'; action: Action; instance: Instance | undefined; durationMs: number; started?: boolean }
  | { type: 'failed'; action: Action; error: string; durationMs: number }
  | { type: 'skipped'; action: Action; reason: string };

/** The outcome of one action. */
export interface ActionResult {
  action: Action;
  /** `started`: a lifecycle took it over (navarch serve) and finishes it in a later pass. */
  result: 'ok' | 'failed' | 'skipped' | 'started';
  message: string;
  /** The created instance (create, replace). */
  instance?: Instance;
}
