/**
 * The action's one entry point: read the inputs and the run's context, dispatch the command, and
 * map every failure to a failed step with a message (never a stack trace, never a secret).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { ROOT_FILE } from '../config/index.js';
import { createGitHub, type GitHub } from '../github/index.js';
import { asNavarchError, ConfigError, NavarchError, redact } from '../model/index.js';
import { applyCommand } from './apply-command.js';
import { readContext, type RunContext } from './context.js';
import { driftCommand } from './drift-command.js';
import { readInputs, type Inputs } from './inputs.js';
import { planCommand } from './plan-command.js';
import { configRoot } from './plan-step.js';
import { annotateConfigError } from './report.js';
import { VERSION } from './version.js';

/** Runs the action; resolves when done, with `process.exitCode` set to 1 on failure. */
export async function run(env: Readonly<Record<string, string | undefined>> = process.env): Promise<void> {
  let inputs: Inputs | undefined;
  try {
    inputs = readInputs(env);
    const ctx = readContext(env);
    checkCheckout(ctx, inputs);
    const gh = inputs.token
      ? createGitHub({ token: inputs.token, baseUrl: ctx.apiUrl, userAgent: `navarch-action/${VERSION}`, log: { warn: (m) => core.warning(m) } })
      : undefined;
    await dispatch(ctx, inputs, gh);
  } catch (err) {
    if (err instanceof ConfigError && inputs) annotateConfigError(err, inputs.dir);
    const e = asNavarchError(err);
    core.setFailed(redact(e.message));
    if (e.code === 'internal' && e.cause instanceof Error && env['NAVARCH_DEBUG']) core.info(redact(e.cause.stack ?? ''));
  }
}

function dispatch(ctx: RunContext, inputs: Inputs, gh: GitHub | undefined): Promise<void> {
  switch (inputs.command) {
    case 'plan':
      return planCommand(ctx, inputs, gh);
    case 'apply':
      return applyCommand(ctx, inputs, gh);
    case 'drift':
      return driftCommand(ctx, inputs, gh);
  }
}

/** The config must be in the checkout before anything else makes sense. */
function checkCheckout(ctx: RunContext, inputs: Inputs): void {
  const root = configRoot(ctx, inputs);
  if (!existsSync(join(root, ROOT_FILE))) {
    throw new NavarchError(
      'action.input',
      `no ${ROOT_FILE} in ${inputs.dir === '.' ? 'the root of the checkout' : `"${inputs.dir}" of the checkout`} (${root}). ` +
        'Run actions/checkout before this step, and set dir to the directory holding navarch.yaml.',
    );
  }
}
