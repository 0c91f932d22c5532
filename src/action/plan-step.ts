/** Planning the checked-out config directory: what a pull request, a plain plan and a drift check share. */
import { join, resolve } from 'node:path';
import { openWorkspace, planWorkspace } from '../engine/index.js';
import { createLogger, type Logger } from '../log/index.js';
import * as core from '@actions/core';
import { redact, redactValue, systemClock, type ObservationGap, type Plan } from '../model/index.js';
import { savePlan } from '../plan/index.js';
import type { RunContext } from './context.js';
import { controlPlaneFacts, type FactsNote } from './facts.js';
import type { Inputs } from './inputs.js';

/**
 * A plan made in the action, saved for the `plan-file` output. The file is redacted like every
 * other thing the action writes: it is meant to be read or uploaded, and the action never applies
 * it.
 */
export interface Planned {
  plan: Plan;
  gaps: ObservationGap[];
  file: string;
  /** Where the plan's node health came from, when a control plane was given. */
  note: FactsNote | undefined;
}

/** The logger for navarch's own logs (stderr, JSON lines, `NAVARCH_LOG_LEVEL`, redacted). */
export function actionLogger(ctx: RunContext): Logger {
  return createLogger({ level: ctx.env['NAVARCH_LOG_LEVEL'] ?? 'warn' });
}

/** Where the plan of `fleet` is saved in the job's temporary directory. */
export function planFilePath(ctx: RunContext, fleet: string): string {
  return join(ctx.runnerTemp, 'navarch', `plan-${fleet}.json`);
}

/** The config directory on disk. */
export function configRoot(ctx: RunContext, inputs: Inputs): string {
  return resolve(ctx.workspace, inputs.dir);
}

/** Plans the config directory as checked out, against the fleet as the clouds list it now. */
export async function planCheckout(ctx: RunContext, inputs: Inputs): Promise<Planned> {
  const { facts, note } = await serverFacts(inputs);
  const ws = await openWorkspace({
    source: configRoot(ctx, inputs),
    clock: systemClock,
    logger: actionLogger(ctx),
    env: ctx.env,
    ...(facts ? { facts } : {}),
  });
  const plan = planWorkspace(ws, systemClock, { large: inputs.allowLarge ? 'allow' : 'guard' });
  const file = planFilePath(ctx, plan.fleet);
  await savePlan(file, redactValue(plan));
  return { plan, gaps: ws.observation.observed.gaps, file, note };
}

/** The control plane's facts for a plan, its note logged (as a warning when the plan goes without them). */
export async function serverFacts(inputs: Inputs): Promise<Awaited<ReturnType<typeof controlPlaneFacts>>> {
  const got = await controlPlaneFacts({ server: inputs.server, token: inputs.serverToken });
  if (got.note?.warning) core.warning(redact(got.note.text));
  else if (got.note) core.info(redact(got.note.text));
  return got;
}
