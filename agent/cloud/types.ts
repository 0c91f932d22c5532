/** What the agent learns from its cloud's metadata service. */
import type { HealthEvent } from '../../src/model/index.js';

export type CloudName = 'aws' | 'gcp';
export type CloudChoice = CloudName | 'none' | 'auto';

/** Where this machine is, as the cloud names it. */
export interface CloudIdentity {
  provider: string;
  instanceId?: string;
  instanceType?: string;
  region?: string;
  zone?: string;
}

/** Watches for a spot or preemption notice and reports each notice once. */
export interface PreemptionWatcher {
  readonly cloud: CloudName;
  run(onNotice: (event: Extract<HealthEvent, { kind: 'preemption' }>) => void, signal: AbortSignal): Promise<void>;
}
