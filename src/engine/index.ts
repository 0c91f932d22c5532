/** The loop's shared steps: open a workspace (desired, status, providers, observation), plan, apply. */
export { loadMemory, loadWorkspaceDesired, openWorkspace, planWorkspace, saveMemory, statusWriter } from './workspace.js';
export type { Workspace, WorkspaceOptions } from './workspace.js';
