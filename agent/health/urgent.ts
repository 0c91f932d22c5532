/**
 * Which events cannot wait for the next health interval. They are sent at once, and when the
 * buffer overflows during an outage they are the ones kept whole; the rest are summarised.
 */
import { xidInfo } from '../../src/health/index.js';
import type { HealthEvent } from '../../src/model/index.js';

export function isUrgent(e: HealthEvent): boolean {
  switch (e.kind) {
    case 'xid':
      return xidInfo(e.xid, e.message).fatal;
    case 'preemption':
    case 'nvml-failure':
      return true;
    case 'ecc':
      return e.volatileUncorrected > 0;
    case 'remapped-rows':
      return e.failure;
    case 'nvlink':
      return e.state === 'down';
    case 'diagnostic':
      return !e.passed;
    default:
      return false;
  }
}

/** What an event is about: the latest event per key is the one a summary keeps. */
export function eventKey(e: HealthEvent): string {
  switch (e.kind) {
    case 'xid':
      return `xid|${e.xid}|${e.gpu ?? e.pci ?? '-'}`;
    case 'nvlink':
      return `nvlink|${e.gpu}|${e.link}`;
    case 'nvml-failure':
      return `nvml-failure|${e.gpu ?? '-'}|${e.call}`;
    case 'preemption':
      return `preemption|${e.action}`;
    case 'diagnostic':
      return `diagnostic|${e.level}`;
    default:
      return `${e.kind}|${e.gpu}`;
  }
}
