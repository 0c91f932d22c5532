import { describeProviderContract } from '../../../test/contract/provider-contract.js';
import { fakeProvider, tempRoot } from '../../../test/helpers/fake-cloud.js';
import { fakeCloudAdmin } from './index.js';

const PAGE_SIZE = 7;

describeProviderContract('fake', async () => {
  const { root, cleanup } = await tempRoot();
  const provider = await fakeProvider(root, { page_size: PAGE_SIZE });
  const admin = fakeCloudAdmin(root);
  return {
    provider,
    instanceType: 'f1.8xh100',
    region: 'local-1',
    zone: 'local-1b',
    pageSize: PAGE_SIZE,
    unknownInstanceId: 'fake-999999',
    async injectFailure(op, error, count = 1) {
      await admin.injectFailure({ op, error, times: count }, { provider: provider.name });
    },
    async seed(instances) {
      for (const spec of instances) {
        await admin.addForeignInstance({
          provider: provider.name,
          tags: spec.tags,
          ...(spec.instanceType !== undefined ? { instanceType: spec.instanceType } : {}),
          ...(spec.region !== undefined ? { region: spec.region } : {}),
        });
      }
    },
    close: cleanup,
  };
});
