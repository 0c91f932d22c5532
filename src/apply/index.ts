/** Executing plans against providers: bounded, idempotent, with failover and a status write after each action. */
export { apply, preflight } from './executor.js';
export type { ApplyOptions, ApplyResult, ApplyTools, HandOver, LifecycleHooks } from './executor.js';
export type { ActionResult, ApplyEvent } from './events.js';
export { CapacityMemory, DEFAULT_CAPACITY_MEMORY_MS } from './capacity-memory.js';
export { nodeTags, provisionNode, type ProvisionAttempt, type ProvisionContext, type Provisioned, type UserDataHook } from './provision.js';
export { mapLimit, SerialQueue } from './limit.js';
