/** The types and small pure helpers every area of navarch shares. */
export * from './errors.js';
export * from './redact.js';
export * from './fleet.js';
export * from './instance.js';
export * from './observed.js';
export * from './plan.js';
export * from './status.js';
export * from './hash.js';
export * from './duration.js';
export * from './clock.js';
export * from './retry.js';
export * from './agent-api.js';
export * from './node-id.js';
export * from './values.js';
export * from './process-owner.js';
export * from './autoscale.js';
