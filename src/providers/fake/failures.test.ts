import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, TAG, type ProvisionRequest } from '../../model/index.js';
import { fakeProvider, tempRoot, provisionRequest } from '../../../test/helpers/fake-cloud.js';
import { fakeCloudAdmin, readFakeState } from './index.js';

const req = (nodeName: string, over: Partial<ProvisionRequest> = {}): ProvisionRequest =>
  provisionRequest(nodeName, { instanceType: 'f1.8xh100', tags: { [TAG.fleet]: 'demo', [TAG.node]: nodeName }, ...over });

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(() => cleanup());

describe('fake provider: configured failures', () => {
  it('counts `times` in the state file, across provider objects (processes) sharing it', async () => {
    const settings = { failures: [{ op: 'provision', error: 'capacity', times: 2, message: 'sold out' }] };
    const one = await fakeProvider(root, settings);
    const two = await fakeProvider(root, settings);
    await expect(one.provision(req('a'))).rejects.toMatchObject({ errorClass: 'capacity', message: 'sold out', location: 'local-1' });
    await expect(two.provision(req('a'))).rejects.toMatchObject({ errorClass: 'capacity' });
    await expect(one.provision(req('a'))).resolves.toMatchObject({ state: 'running' });
    const snapshot = await readFakeState(root);
    expect(Object.values(snapshot.failureCounts)).toEqual([2]);
    // A fresh provider object (a later run) does not restart the count.
    const three = await fakeProvider(root, settings);
    await expect(three.provision(req('b'))).resolves.toMatchObject({ state: 'running' });
  });

  it('restarts the count when the rule is edited', async () => {
    await expect((await fakeProvider(root, { failures: [{ op: 'list', error: 'transient', times: 1 }] })).list({ tags: {} })).rejects.toThrow();
    const edited = await fakeProvider(root, { failures: [{ op: 'list', error: 'throttled', times: 1 }] });
    const err = await edited.list({ tags: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: 'throttled', providerCode: 'RequestLimitExceeded', retryAfterMs: 1000, retryable: true });
    await expect(edited.list({ tags: {} })).resolves.toEqual([]);
  });

  it('fails every matching call when times is omitted, and only matching ones', async () => {
    const provider = await fakeProvider(root, {
      failures: [{ op: 'provision', error: 'quota', region: 'local-1', instance_type: 'f1.8xh100' }],
    });
    for (let i = 0; i < 3; i += 1) await expect(provider.provision(req('a'))).rejects.toMatchObject({ errorClass: 'quota' });
    await expect(provider.provision(req('b', { region: 'local-2' }))).resolves.toMatchObject({ region: 'local-2' });
    await expect(provider.provision(req('c', { instanceType: 'f1.1xa10' }))).resolves.toMatchObject({ instanceType: 'f1.1xa10' });
  });

  it('filters terminate failures by the instance region', async () => {
    const provider = await fakeProvider(root, { failures: [{ op: 'terminate', error: 'auth', region: 'local-2' }] });
    const a = await provider.provision(req('a'));
    const b = await provider.provision(req('b', { region: 'local-2' }));
    await provider.terminate(a.id);
    const err = await provider.terminate(b.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ errorClass: 'auth', providerCode: 'AuthFailure', retryable: false, tryElsewhere: false });
    expect((await provider.list({ tags: {} })).map((i) => i.id)).toEqual([b.id]);
  });

  it('checks idempotency before failures: an existing node is returned even while launches fail', async () => {
    const admin = fakeCloudAdmin(root);
    const provider = await fakeProvider(root);
    const a = await provider.provision(req('a'));
    await admin.injectFailure({ op: 'provision', error: 'capacity' });
    await expect(provider.provision(req('a'))).resolves.toMatchObject({ id: a.id });
    await expect(provider.provision(req('b'))).rejects.toMatchObject({ errorClass: 'capacity' });
  });
});

describe('fake cloud admin: injected failures', () => {
  it('limits a failure to one provider name and disarms it after `times`', async () => {
    const admin = fakeCloudAdmin(root);
    const east = await fakeProvider(root, {}, { name: 'east' });
    const west = await fakeProvider(root, {}, { name: 'west' });
    await admin.injectFailure({ op: 'list', error: 'transient', times: 1 }, { provider: 'east' });
    await expect(west.list({ tags: {} })).resolves.toEqual([]);
    await expect(east.list({ tags: {} })).rejects.toMatchObject({ errorClass: 'transient' });
    await expect(east.list({ tags: {} })).resolves.toEqual([]);
    expect((await admin.snapshot()).injected).toEqual([]);
  });

  it('clears armed failures and configured counters', async () => {
    const admin = fakeCloudAdmin(root);
    const provider = await fakeProvider(root, { failures: [{ op: 'list', error: 'invalid', times: 1 }] });
    await admin.injectFailure({ op: 'terminate', error: 'quota' });
    await expect(provider.list({ tags: {} })).rejects.toMatchObject({ errorClass: 'invalid' });
    await admin.clearFailures();
    await expect(provider.terminate('fake-000001')).resolves.toBeUndefined();
    await expect(provider.list({ tags: {} })).rejects.toMatchObject({ errorClass: 'invalid' });
  });

  it('rejects a malformed rule', async () => {
    const admin = fakeCloudAdmin(root);
    await expect(admin.injectFailure({ op: 'reboot', error: 'capacity' } as never)).rejects.toThrow(/op/);
  });
});
