/** The pure planner and what renders and stores its output. */
export { plan } from './plan.js';
export type { PlanOptions } from './plan.js';
export { observedDigest } from './digest.js';
export { orderPlacements, conforms, type UnavailableOffering } from './placement.js';
