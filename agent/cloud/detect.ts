/**
 * Which cloud the machine runs on, asked of the metadata services: GCP's answers carry
 * `Metadata-Flavor: Google`; AWS answers the IMDSv2 token request. Both are asked at once with a
 * short deadline, so a machine on neither cloud learns it in about a second.
 */
import type { Clock } from '../../src/model/index.js';
import type { Logger } from '../../src/log/index.js';
import { AwsSpotWatcher, awsIdentity, Imds } from './aws.js';
import { GcpMetadata, GcpPreemptionWatcher, gcpIdentity } from './gcp.js';
import type { CloudChoice, CloudIdentity, CloudName, PreemptionWatcher } from './types.js';

export interface CloudOptions {
  choice: CloudChoice;
  /** One base URL for whichever service is asked (tests, proxies); the clouds' own addresses otherwise. */
  metadataUrl?: string;
  timeoutMs: number;
  /** How often AWS spot notices are polled. */
  spotPollMs: number;
  /** How long one GCP long-poll waits. */
  gcpWaitSec: number;
  clock: Clock;
  log: Logger;
}

export interface Cloud {
  name: CloudName | 'none';
  identity?: CloudIdentity;
  watcher?: PreemptionWatcher;
}

export async function detectCloud(o: CloudOptions): Promise<Cloud> {
  const base = o.metadataUrl ? { base: o.metadataUrl } : {};
  const imds = new Imds({ ...base, timeoutMs: o.timeoutMs, now: () => o.clock.now() });
  const gcp = new GcpMetadata({ ...base, timeoutMs: o.timeoutMs });
  let name: CloudName | 'none' = o.choice === 'auto' ? 'none' : o.choice;
  if (o.choice === 'auto') {
    const [isGcp, isAws] = await Promise.all([gcp.probe(), imds.probe()]);
    name = isGcp ? 'gcp' : isAws ? 'aws' : 'none';
    o.log.info({ cloud: name }, 'cloud detected from its metadata service');
  }
  if (name === 'aws') {
    return {
      name,
      identity: await awsIdentity(imds),
      watcher: new AwsSpotWatcher(imds, { pollMs: o.spotPollMs, clock: o.clock, log: o.log }),
    };
  }
  if (name === 'gcp') {
    return {
      name,
      identity: await gcpIdentity(gcp),
      watcher: new GcpPreemptionWatcher(gcp, { waitSec: o.gcpWaitSec, clock: o.clock, log: o.log }),
    };
  }
  return { name: 'none' };
}
