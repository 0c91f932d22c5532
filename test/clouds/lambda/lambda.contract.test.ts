/**
 * The provider contract against the loopback Lambda cloud. Lambda's `GET /instances` is not
 * paginated (one call returns the whole account), so the page size given to the suite only sets
 * how many instances it seeds: 4 gives 10, enough to show nothing is lost or repeated.
 */
import { describeProviderContract, type ContractOp } from '../../contract/provider-contract.js';
import type { Endpoint } from './cloud.js';
import { lambdaSetup } from './harness.js';

const ENDPOINT: Record<ContractOp, Endpoint> = { provision: 'launch', terminate: 'terminate', list: 'list' };

describeProviderContract('lambda', async () => {
  // No Retry-After on injected throttles: the suite runs on the system clock and should not wait.
  const { server, provider, close } = await lambdaSetup({ server: { retryAfterSeconds: undefined } });
  return {
    provider,
    instanceType: 'gpu_1x_h100_pcie',
    region: 'us-east-1',
    pageSize: 4,
    unknownInstanceId: '0920582c7ff041399e34823a0be62549',
    async injectFailure(op, errorClass, count = 1) {
      server.cloud.inject(ENDPOINT[op], errorClass, count);
    },
    async seed(instances) {
      for (const spec of instances) {
        server.cloud.seed({
          tags: spec.tags,
          ...(spec.instanceType !== undefined ? { type: spec.instanceType } : {}),
          ...(spec.region !== undefined ? { region: spec.region } : {}),
        });
      }
    },
    close,
  };
});
