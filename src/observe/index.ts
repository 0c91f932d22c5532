/** Building the observed fleet from providers, the status file and the control plane's store. */
export { observe, fleetFilter } from './observe.js';
export type { NodeFacts, Observation, ObserveInput } from './observe.js';
