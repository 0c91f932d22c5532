/** Health: the XID catalog and, on the server side, classification, the health policy and the circuit breaker. */
export { xidCatalog, xidInfo, type XidBucket, type XidInfo } from './xid.js';
export {
  classifyCheck,
  classifyEvent,
  classifyTemperatures,
  gpuLabel,
  normalizePci,
  retentionOf,
  type Finding,
  type Retention,
  type GpuIdentity,
  type Severity,
  type Thresholds,
} from './classify.js';
export { classifySensors, implausible, SENSOR_LIMITS, sensorFault, type GpuSensor } from './sensors.js';
export { DEFAULT_HEALTH_POLICY, resolvePolicy, type HealthPolicy } from './policy.js';
export { clearVerdicts, foldRegistration, foldReport, initialHealthState, type Evaluation, type GpuFault, type Mark, type NodeHealthState } from './state.js';
export { judgeNode, type JudgeInput, type NodeVerdict, type VerdictCause } from './judge.js';
export { breakerAllowance, evaluateBreaker, FLEET_BREAKER, type BadNode, type BreakerInput, type BreakerResult, type BreakerState } from './breaker.js';
export { countsAgainstBreaker, judgeFleet, type FailureRecord, type FleetJudgement, type FleetNode, type JudgeFleetInput } from './fleet.js';
export { BACKOFF_MS, backOff, backoffHolds, type PoolBackoff } from './backoff.js';
export {
  advanceReplacement,
  newNode,
  oldNode,
  recordOutcome,
  REPLACEMENT_KIND,
  replacementFinished,
  replacementOutcome,
  startReplacement,
  type EffectOutcome,
  type Replacement,
  type ReplacementEffect,
  type ReplacementFacts,
  type ReplacementInstance,
  type ReplacementSettings,
  type ReplacementState,
  type ReplacementStep,
} from './replacement.js';
