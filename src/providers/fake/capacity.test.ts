import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, TAG, type ProvisionRequest } from '../../model/index.js';
import { fakeProvider, tempRoot, provisionRequest } from '../../../test/helpers/fake-cloud.js';

const req = (nodeName: string, instanceType: string, region: string): ProvisionRequest =>
  provisionRequest(nodeName, { instanceType, region, tags: { [TAG.fleet]: 'demo', [TAG.node]: nodeName } });

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(() => cleanup());

describe('fake provider: capacity', () => {
  const settings = { capacity: { 'f1.8xh100': { 'local-1': 2, '*': 1 } } };

  it('limits live instances per type and region, with * for regions not listed', async () => {
    const provider = await fakeProvider(root, settings);
    await provider.provision(req('a', 'f1.8xh100', 'local-1'));
    await provider.provision(req('b', 'f1.8xh100', 'local-1'));
    const err = await provider.provision(req('c', 'f1.8xh100', 'local-1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ errorClass: 'capacity', providerCode: 'InsufficientCapacity', location: 'local-1', tryElsewhere: true });

    await provider.provision(req('d', 'f1.8xh100', 'local-2'));
    await expect(provider.provision(req('e', 'f1.8xh100', 'local-2'))).rejects.toMatchObject({ location: 'local-2' });
    // Other types are unlimited.
    await provider.provision(req('f', 'f1.1xh100', 'local-1'));
    // A failed launch creates nothing.
    expect((await provider.list({ tags: {} })).map((i) => i.tags[TAG.node])).toEqual(['a', 'b', 'd', 'f']);
  });

  it('frees capacity when an instance is terminated', async () => {
    const provider = await fakeProvider(root, settings);
    const a = await provider.provision(req('a', 'f1.8xh100', 'local-2'));
    await expect(provider.provision(req('b', 'f1.8xh100', 'local-2'))).rejects.toMatchObject({ errorClass: 'capacity' });
    await provider.terminate(a.id);
    await expect(provider.provision(req('b', 'f1.8xh100', 'local-2'))).resolves.toMatchObject({ region: 'local-2' });
  });

  it('counts capacity across every process sharing the state file', async () => {
    const one = await fakeProvider(root, settings);
    const two = await fakeProvider(root, settings);
    await one.provision(req('a', 'f1.8xh100', 'local-2'));
    await expect(two.provision(req('b', 'f1.8xh100', 'local-2'))).rejects.toMatchObject({ errorClass: 'capacity' });
  });

  it('accepts * as the instance type and a bare number for every region', async () => {
    const provider = await fakeProvider(root, { capacity: { '*': { 'local-2': 0 }, 'f1.1xa10': 1 } });
    await expect(provider.provision(req('a', 'f1.8xb200', 'local-2'))).rejects.toMatchObject({ errorClass: 'capacity' });
    await provider.provision(req('b', 'f1.8xb200', 'local-1'));
    await provider.provision(req('c', 'f1.1xa10', 'local-1'));
    await expect(provider.provision(req('d', 'f1.1xa10', 'local-1'))).rejects.toMatchObject({ errorClass: 'capacity' });
  });

  it('reports availability and catalog prices in offers', async () => {
    const provider = await fakeProvider(root, { capacity: { 'f1.8xh100': { 'local-1': 1, 'local-2': 0 } } });
    const before = await provider.offers();
    expect(before).toHaveLength(6 * 2);
    const h100 = (region: string): unknown => before.find((o) => o.instanceType === 'f1.8xh100' && o.region === region);
    expect(h100('local-1')).toEqual({ provider: 'local', instanceType: 'f1.8xh100', region: 'local-1', available: true, pricePerHour: 23.92 });
    expect(h100('local-2')).toMatchObject({ available: false });
    await provider.provision(req('a', 'f1.8xh100', 'local-1'));
    const after = await provider.offers();
    expect(after.find((o) => o.instanceType === 'f1.8xh100' && o.region === 'local-1')?.available).toBe(false);
    expect(after.filter((o) => o.available)).toHaveLength(10);
  });
});
