/** The provider contract, run against the real Compute Engine client and the loopback API. */
import { describeProviderContract } from '../../contract/provider-contract.js';
import { contractFault, startGcp } from './harness.js';
import type { FaultMethod } from './state.js';

const PAGE_SIZE = 4;
const ZONE = 'us-central1-a';
/** The API call each contract operation fails at. */
const METHOD = { provision: 'insert', terminate: 'delete', list: 'aggregatedList' } as const satisfies Record<string, FaultMethod>;

describeProviderContract('gcp', async () => {
  const bed = await startGcp({ pageSize: PAGE_SIZE });
  return {
    provider: bed.provider,
    instanceType: 'g2-standard-4',
    region: 'us-central1',
    zone: ZONE,
    pageSize: PAGE_SIZE,
    unknownInstanceId: `${ZONE}/never-created/4829157103554999999`,
    injectFailure(op, errorClass, count = 1) {
      bed.server.fail(METHOD[op], contractFault(op, errorClass, ZONE), count);
      return Promise.resolve();
    },
    seed(instances) {
      for (const spec of instances) {
        const zone = spec.region ? bed.server.state.zones.find((z) => z.startsWith(`${spec.region}-`)) : ZONE;
        bed.server.state.seed({ labels: spec.tags, ...(zone ? { zone } : {}), ...(spec.instanceType ? { machineType: spec.instanceType } : {}) });
      }
      return Promise.resolve();
    },
    close: () => bed.close(),
  };
});
