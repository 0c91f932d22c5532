/** Every command the CLI offers, one file each. */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerApply } from './apply.js';
import { registerForceUnlock } from './force-unlock.js';
import { registerGpus } from './gpus.js';
import { registerInit } from './init.js';
import { registerPlan } from './plan.js';
import { registerServe } from './serve.js';
import { registerReconcile } from './reconcile.js';
import { registerStatus } from './status.js';
import { registerToken } from './token.js';
import { registerValidate } from './validate.js';

export function registerCommands(program: Command, ctx: CliContext): void {
  registerInit(program, ctx);
  registerValidate(program, ctx);
  registerPlan(program, ctx);
  registerApply(program, ctx);
  registerStatus(program, ctx);
  registerReconcile(program, ctx);
  registerForceUnlock(program, ctx);
  registerGpus(program, ctx);
  registerServe(program, ctx);
  registerToken(program, ctx);
}
