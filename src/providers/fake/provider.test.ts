import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../log/index.js';
import { ManualClock, ProviderError, TAG, systemClock } from '../../model/index.js';
import { availableProviderTypes, createProvider } from '../index.js';
import { fakeConfig, fakeProvider, tempRoot, provisionRequest } from '../../../test/helpers/fake-cloud.js';
import { fakeCloudAdmin, readFakeState } from './index.js';

const req = provisionRequest;

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(() => cleanup());

describe('fake provider: launch latency', () => {
  it('reports pending until the latency has passed, then running', async () => {
    const clock = new ManualClock();
    const provider = await fakeProvider(root, { latency: '200ms' }, { clock });
    const launching = provider.provision(req('train-0'));
    // The instance exists (pending) while the launch call is still waiting.
    await vi.waitFor(async () => expect(await provider.list({ tags: {} })).toHaveLength(1));
    expect((await provider.list({ tags: {} }))[0]?.state).toBe('pending');
    clock.advance(199);
    expect((await provider.list({ tags: {} }))[0]?.state).toBe('pending');
    clock.advance(1);
    const inst = await launching;
    expect(inst.state).toBe('running');
    expect(inst.launchedAt).toBe(new Date(clock.now() - 200).toISOString());
    expect((await provider.list({ tags: {} }))[0]?.state).toBe('running');
    // The transition is persisted, so a plain reader of the file agrees.
    expect(JSON.parse(await readFile(provider.settings.stateFile, 'utf8')).instances[0].state).toBe('running');
  });

  it('leaves a pending instance behind when the caller gives up mid-launch', async () => {
    const clock = new ManualClock();
    const provider = await fakeProvider(root, { latency: '1m' }, { clock });
    const abort = new AbortController();
    const launching = provider.provision(req('train-0'), abort.signal);
    await vi.waitFor(async () => expect(await provider.list({ tags: {} })).toHaveLength(1));
    abort.abort(new Error('cancelled'));
    await expect(launching).rejects.toThrow('cancelled');
    const [left] = await provider.list({ tags: {} });
    expect(left?.state).toBe('pending');
    // A later run adopts it instead of launching a second one.
    const again = provider.provision(req('train-0'));
    await expect(again).resolves.toMatchObject({ id: left?.id, state: 'pending' });
    clock.advance(60_000);
    expect((await provider.list({ tags: {} }))[0]?.state).toBe('running');
  });

  it('refuses to start when the signal is already aborted', async () => {
    const provider = await fakeProvider(root);
    await expect(provider.provision(req('x'), AbortSignal.abort())).rejects.toThrow();
    expect(await provider.list({ tags: {} })).toEqual([]);
  });
});

describe('fake provider: provision', () => {
  it('assigns sequential ids, the first zone of the region, and a private address', async () => {
    const provider = await fakeProvider(root);
    const a = await provider.provision(req('a'));
    const b = await provider.provision(req('b', { region: 'local-2', spot: true }));
    expect(a).toMatchObject({ id: 'fake-000001', zone: 'local-1a', state: 'running', privateIp: '10.0.0.1', spot: false });
    expect(b).toMatchObject({ id: 'fake-000002', region: 'local-2', zone: 'local-2a', spot: true });
  });

  it.each([
    ['an unknown type', { instanceType: 'p5.48xlarge' }, 'InvalidInstanceType'],
    ['an unknown region', { region: 'us-east-1' }, 'InvalidRegion'],
    ['a zone outside the region', { zone: 'local-2a' }, 'InvalidZone'],
  ])('rejects %s as invalid and creates nothing', async (_what, over, code) => {
    const provider = await fakeProvider(root);
    const err = await provider.provision(req('a', over)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ errorClass: 'invalid', providerCode: code });
    expect(await provider.list({ tags: {} })).toEqual([]);
  });

  it('keys idempotency on node name within a fleet', async () => {
    const provider = await fakeProvider(root);
    const a = await provider.provision(req('train-0'));
    const other = await provider.provision(req('train-0', { tags: { [TAG.fleet]: 'other' } }));
    expect(other.id).not.toBe(a.id);
    expect(await provider.list({ tags: { [TAG.node]: 'train-0' } })).toHaveLength(2);
  });

  it('keeps providers that share a state file apart', async () => {
    const east = await fakeProvider(root, {}, { name: 'east' });
    const west = await fakeProvider(root, {}, { name: 'west' });
    const a = await east.provision(req('train-0'));
    const b = await west.provision(req('train-0'));
    expect(b.id).not.toBe(a.id);
    expect((await east.list({ tags: {} })).map((i) => i.id)).toEqual([a.id]);
    await west.terminate(a.id); // not west's instance: nothing happens
    expect((await east.list({ tags: {} })).map((i) => i.id)).toEqual([a.id]);
  });
});

describe('fake provider: list pagination', () => {
  it('fetches one page per call and follows the token to the end', async () => {
    const provider = await fakeProvider(root, { page_size: 2 });
    for (const n of ['a', 'b', 'c', 'd', 'e']) await provider.provision(req(n));
    const pages = vi.spyOn(provider as unknown as { listPage: (...a: unknown[]) => unknown }, 'listPage');
    const listed = await provider.list({ tags: { [TAG.fleet]: 'demo' } });
    expect(listed.map((i) => i.tags[TAG.node])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pages).toHaveBeenCalledTimes(3);
  });

  it('orders ids numerically past six digits', async () => {
    const provider = await fakeProvider(root, { page_size: 1 });
    const admin = fakeCloudAdmin(root);
    await admin.addForeignInstance({ provider: 'local', tags: {} });
    // Jump the counter so the next id has seven digits.
    const state = JSON.parse(await readFile(admin.stateFile, 'utf8'));
    state.nextId = 1_000_000;
    await writeFile(admin.stateFile, JSON.stringify(state));
    await admin.addForeignInstance({ provider: 'local', tags: {} });
    expect((await provider.list({ tags: {} })).map((i) => i.id)).toEqual(['fake-000001', 'fake-1000000']);
  });
});

describe('fake provider: setLabels', () => {
  it("replaces user labels and keeps navarch's own tags", async () => {
    const provider = await fakeProvider(root);
    const inst = await provider.provision(req('a', { tags: { [TAG.fleet]: 'demo', [TAG.pool]: 'p', team: 'old', cost: 'x' } }));
    await provider.setLabels(inst.id, { team: 'new', owner: 'ml', [TAG.pool]: 'hijack' });
    const [after] = await provider.list({ tags: {} });
    expect(after?.tags).toEqual({ [TAG.fleet]: 'demo', [TAG.pool]: 'p', [TAG.node]: 'a', team: 'new', owner: 'ml' });
  });

  it('reports an unknown or terminated instance as not-found', async () => {
    const provider = await fakeProvider(root);
    await expect(provider.setLabels('fake-000042', {})).rejects.toMatchObject({ errorClass: 'not-found' });
    const inst = await provider.provision(req('a'));
    await provider.terminate(inst.id);
    await expect(provider.setLabels(inst.id, {})).rejects.toMatchObject({ errorClass: 'not-found' });
  });
});

describe('fake provider: terminate', () => {
  it('keeps terminated instances as history', async () => {
    const provider = await fakeProvider(root);
    const inst = await provider.provision(req('a'));
    await provider.terminate(inst.id);
    const snapshot = await readFakeState(root);
    expect(snapshot.instances).toEqual([expect.objectContaining({ id: inst.id, state: 'terminated', privateIp: undefined })]);
  });
});

describe('provider registry', () => {
  it('builds the fake cloud for type fake', async () => {
    expect(availableProviderTypes()).toContain('fake');
    const provider = await createProvider(fakeConfig('local'), { root, clock: systemClock, logger: silentLogger, env: {} });
    expect(provider).toMatchObject({ name: 'local', type: 'fake' });
    await expect(provider.list({ tags: {} })).resolves.toEqual([]);
  });
});
