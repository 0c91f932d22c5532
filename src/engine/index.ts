/** The loop's shared steps: open a workspace (desired, status, providers, observation), plan, apply. */
export { loadMemory, loadWorkspaceDesired, openWorkspace, planWorkspace, saveMemory } from './workspace.js';
export type { Workspace, WorkspaceOptions } from './workspace.js';
export { openTargetWorkspace, readSnapshot, readTarget, runPass } from './git-pass.js';
export type { PassExtras, PassLockOptions, PassOptions, PassOutcome, PreparedWorkspace, TargetState, TargetWorkspaceOptions } from './git-pass.js';
export { directoryTarget } from './directory-target.js';
export { statusCommitMessage } from './status-message.js';
export { pauseMs, reconcileLoop, type LoopOptions, type PassVerdict } from './reconcile-loop.js';
