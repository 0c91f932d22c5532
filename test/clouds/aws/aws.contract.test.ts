import { describeProviderContract } from '../../contract/provider-contract.js';
import { CLASS_ERRORS } from './ec2-server.js';
import { awsTestbed } from './harness.js';

const PAGE_SIZE = 6;
const ACTION = { provision: 'RunInstances', terminate: 'TerminateInstances', list: 'DescribeInstances' } as const;

describeProviderContract('aws', async () => {
  const bed = await awsTestbed({ pageSize: PAGE_SIZE });
  return {
    provider: bed.provider,
    instanceType: 'p5.48xlarge',
    region: 'us-east-1',
    zone: 'us-east-1a',
    pageSize: PAGE_SIZE,
    unknownInstanceId: 'i-0123456789abcdef0',
    async injectFailure(op, errorClass, count = 1) {
      bed.server.inject({ action: ACTION[op], ...CLASS_ERRORS[errorClass], times: count });
    },
    async seed(instances) {
      for (const spec of instances) {
        bed.server.seed({
          region: spec.region ?? 'us-east-1',
          tags: spec.tags,
          ...(spec.instanceType !== undefined ? { instanceType: spec.instanceType } : {}),
        });
      }
    },
    close: bed.close,
  };
});
