/** The agent's health evaluation: checks and events from GPU readings, and which events are urgent. */
export { HealthTracker, DEFAULT_THRESHOLDS, type HealthThresholds, type Evaluation } from './evaluate.js';
export { isUrgent, eventKey } from './urgent.js';
