/** Building the observed fleet from providers, the status file and the control plane's store. */
export { observe, observedNode, fleetFilter, joinFacts, joinLifecycles } from './observe.js';
export type { Observation, ObserveInput } from './observe.js';
export type { NodeFacts } from '../model/index.js';
export { FACTS_VERSION, factsDocument, parseFactsDocument, type FactsDocument, type FactsDocumentNode, type ServedFacts } from './facts-document.js';
