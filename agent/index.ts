/**
 * The navarch node agent: runs on every GPU machine, reads NVML (or nvidia-smi), follows the kernel
 * log for XIDs, watches the cloud's spot and preemption notices, and reports to the control plane.
 * It imports no cloud SDK, server, store, planner or config loader: only src/model, src/health and
 * src/log, so it stays small.
 */
export { Agent, type AgentClient, type AgentDeps } from './agent.js';
export { resolveConfig, tokenSource, splitCommand, AgentConfigError, DEFAULT_INTERVALS, DEFAULT_BUFFER_SIZE, type AgentConfig, type AgentFlags } from './config.js';
export { bootChecks, type BootCheckInput } from './boot-checks.js';
export { CommandRunner, type CommandRunnerOptions } from './commands.js';
export { runDiag, dcgmiPath, type DiagResult } from './diag.js';
export { AGENT_VERSION } from './version.js';
export * from './gpu/index.js';
export * from './xid/index.js';
export * from './cloud/index.js';
export * from './report/index.js';
export * from './health/index.js';
export * from './packaging/index.js';
export { main as agentMain, buildProgram as buildAgentProgram } from './cli/main.js';
export type { AgentCliContext } from './cli/context.js';
