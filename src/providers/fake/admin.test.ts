import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, TAG, type ProvisionRequest } from '../../model/index.js';
import { fakeProvider, tempRoot, provisionRequest } from '../../../test/helpers/fake-cloud.js';
import { fakeCloudAdmin, readFakeState } from './index.js';

const req = (nodeName: string): ProvisionRequest => provisionRequest(nodeName, { instanceType: 'f1.8xa100-80gb', region: 'local-2' });

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(() => cleanup());

describe('fake cloud admin', () => {
  it('kills an instance behind navarch’s back', async () => {
    const provider = await fakeProvider(root);
    const admin = fakeCloudAdmin(root);
    const inst = await provider.provision(req('a'));
    await admin.killInstance(inst.id);
    expect(await provider.list({ tags: {} })).toEqual([]);
    // The node name is free again: the next apply replaces it.
    expect((await provider.provision(req('a'))).id).not.toBe(inst.id);
    const snapshot = await readFakeState(root);
    expect(snapshot.instances.map((i) => [i.id, i.state])).toEqual([
      [inst.id, 'terminated'],
      ['fake-000002', 'running'],
    ]);
  });

  it('marks an instance failed; it stays listed until terminated', async () => {
    const provider = await fakeProvider(root);
    const admin = fakeCloudAdmin(root);
    const inst = await provider.provision(req('a'));
    await admin.setFailed(inst.id);
    expect((await provider.list({ tags: {} }))[0]).toMatchObject({ id: inst.id, state: 'failed' });
    // Still the node's instance: provisioning it again does not launch another.
    expect((await provider.provision(req('a'))).id).toBe(inst.id);
    await provider.terminate(inst.id);
    expect(await provider.list({ tags: {} })).toEqual([]);
  });

  it('adds foreign instances: other fleets and orphans with navarch tags but no pool', async () => {
    const clock = new ManualClock();
    const provider = await fakeProvider(root, {}, { clock });
    const admin = fakeCloudAdmin(root, undefined, { clock });
    const orphan = await admin.addForeignInstance({ provider: 'local', tags: { [TAG.fleet]: 'demo', [TAG.node]: 'lost-1' } });
    const other = await admin.addForeignInstance({
      provider: 'local',
      tags: { [TAG.fleet]: 'elsewhere' },
      instanceType: 'f1.8xb200',
      region: 'local-1',
      zone: 'local-1b',
      spot: true,
    });
    const booting = await admin.addForeignInstance({ provider: 'local', tags: { [TAG.fleet]: 'demo' }, state: 'pending' });
    expect(orphan).toMatchObject({ instanceType: 'f1.1xa10', region: 'local-1', zone: 'local-1a', state: 'running' });
    expect(other).toMatchObject({ instanceType: 'f1.8xb200', zone: 'local-1b', spot: true, launchedAt: new Date(clock.now()).toISOString() });
    clock.advance(3_600_000);
    expect((await provider.list({ tags: { [TAG.fleet]: 'demo' } })).map((i) => [i.id, i.state])).toEqual([
      [orphan.id, 'running'],
      [booting.id, 'pending'],
    ]);
  });

  it('keeps the user data an instance was launched with, as a cloud does', async () => {
    const provider = await fakeProvider(root);
    const admin = fakeCloudAdmin(root);
    const script = '#!/bin/bash\necho booted\n';
    const withScript = await provider.provision(provisionRequest('a', { userData: script }));
    const without = await provider.provision(req('b'));
    expect(await admin.userData(withScript.id)).toBe(script);
    expect(await admin.userData(without.id)).toBeUndefined();
    // Not part of what list() returns: only the cloud's owner reads it back.
    expect(JSON.stringify(await provider.list({ tags: {} }))).not.toContain('echo booted');
  });

  it('reports an unknown id', async () => {
    const admin = fakeCloudAdmin(root);
    await expect(admin.killInstance('fake-000404')).rejects.toThrow('fake-000404');
    await expect(admin.setFailed('fake-000404')).rejects.toThrow('fake-000404');
    await expect(admin.userData('fake-000404')).rejects.toThrow('fake-000404');
  });

  it('works on a custom state file and reads it back through readFakeState', async () => {
    const provider = await fakeProvider(root, { state_file: 'state/cloud.json' });
    const admin = fakeCloudAdmin(root, 'state/cloud.json');
    const inst = await provider.provision(req('a'));
    await admin.killInstance(inst.id);
    expect(admin.stateFile).toBe(provider.settings.stateFile);
    expect((await readFakeState(root, { state_file: 'state/cloud.json' })).instances[0]?.state).toBe('terminated');
    expect((await readFakeState(root)).instances).toEqual([]);
  });
});
