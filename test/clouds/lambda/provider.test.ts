/**
 * The Lambda provider on the wire, against the loopback cloud: what it sends, how each of Lambda's
 * answers reads back, and the behaviour the contract suite does not pin down.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MANAGED_BY_VALUE, TAG, type ProvisionRequest } from '../../../src/model/index.js';
import { navarchTags, providerFailure, provisionRequest } from '../../helpers/provider-requests.js';
import { lambdaSetupPerTest, TEST_API_KEY } from './harness.js';

const start = lambdaSetupPerTest();

const request = (node = 'train-1', over: Partial<ProvisionRequest> = {}): ProvisionRequest =>
  provisionRequest(node, { instanceType: 'gpu_1x_h100_pcie', region: 'us-east-1', tags: navarchTags('research', 'train', node, { team: 'ml' }), ...over });

describe('lambda launch', () => {
  it('sends the documented launch body with a bearer key, navarch\'s name and tags, and the agent bootstrap', async () => {
    const { server, provider } = await start({ settings: { file_system_names: ['datasets'] }, server: { fileSystems: { datasets: 'us-east-1' } } });
    const inst = await provider.provision(request('train-1', { userData: '#cloud-config\nruncmd: [navarch-agent]\n' }));
    const [launch] = server.calls('POST', '/instance-operations/launch');
    expect(launch?.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    expect(launch?.body).toEqual({
      region_name: 'us-east-1',
      instance_type_name: 'gpu_1x_h100_pcie',
      ssh_key_names: ['navarch-ops'],
      file_system_names: ['datasets'],
      quantity: 1,
      name: 'nv.research.train-1',
      tags: [
        { key: TAG.fleet, value: 'research' },
        { key: TAG.managedBy, value: MANAGED_BY_VALUE },
        { key: TAG.node, value: 'train-1' },
        { key: TAG.pool, value: 'train' },
        { key: 'team', value: 'ml' },
      ],
      user_data: '#cloud-config\nruncmd: [navarch-agent]\n',
    });
    expect(server.cloud.instances[0]?.userData).toContain('navarch-agent');
    expect(inst).toMatchObject({ provider: 'lam', region: 'us-east-1', zone: undefined, spot: false, state: 'pending' });
    // Capacity was checked on the cheap endpoint before the launch was spent.
    expect(server.log.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/instances',
      'GET /api/v1/instance-types',
      'POST /api/v1/instance-operations/launch',
    ]);
  });

  it('does not launch where /instance-types reports no capacity, and fails over as capacity in that region', async () => {
    const { server, provider } = await start({ server: { capacity: { gpu_1x_h100_pcie: { 'us-east-1': 0 } } } });
    const err = await providerFailure(provider.provision(request()));
    expect(err.errorClass).toBe('capacity');
    expect(err.location).toBe('us-east-1');
    expect(err.providerCode).toBe('instance-operations/launch/insufficient-capacity');
    expect(err.message).toMatch(/regions with capacity: europe-central-1, us-east-3, us-south-1, us-west-1/);
    expect(server.calls('POST', '/instance-operations/launch')).toHaveLength(0);
    // The next region has room.
    await expect(provider.provision(request('train-1', { region: 'us-west-1' }))).resolves.toMatchObject({ region: 'us-west-1' });
  });

  it('reads the launch\'s own capacity refusal as capacity in the requested region', async () => {
    const { server, provider } = await start();
    server.cloud.inject('launch', 'capacity');
    const err = await providerFailure(provider.provision(request()));
    expect(err).toMatchObject({ errorClass: 'capacity', location: 'us-east-1', providerCode: 'instance-operations/launch/insufficient-capacity' });
    expect(err.message).toContain('Not enough capacity to fulfill launch request.');
  });

  it.each([
    ['quota', 'quota', 'global/quota-exceeded'],
    ['auth', 'auth', 'global/invalid-api-key'],
    ['invalid', 'invalid', 'global/invalid-parameters'],
    ['transient', 'transient', 'provider/internal-unavailable'],
  ] as const)('maps an injected %s refusal to %s', async (kind, errorClass, code) => {
    const { server, provider } = await start();
    server.cloud.inject('launch', kind);
    const err = await providerFailure(provider.provision(request()));
    expect(err.errorClass).toBe(errorClass);
    expect(err.providerCode).toBe(code);
  });

  it('reads a missing SSH key or file system as invalid configuration, not as a missing instance', async () => {
    const { provider } = await start({ settings: { ssh_key_names: ['nobody'] } });
    const err = await providerFailure(provider.provision(request()));
    expect(err.errorClass).toBe('invalid');
    expect(err.providerCode).toBe('global/object-does-not-exist');
    expect(err.message).toContain('Specified SSH key does not exist: nobody');
  });

  it('reads a file system in another region as invalid', async () => {
    const { provider } = await start({ settings: { file_system_names: ['datasets'] }, server: { fileSystems: { datasets: 'us-west-1' } } });
    const err = await providerFailure(provider.provision(request()));
    expect(err).toMatchObject({ errorClass: 'invalid', providerCode: 'instance-operations/launch/file-system-in-wrong-region' });
  });

  it.each([
    ['spot', { spot: true }, /sells no spot/],
    ['a zone', { zone: 'us-east-1a' }, /no zones/],
    ['a region outside the provider\'s regions', { region: 'us-south-1' }, /not in this provider's regions \(us-east-1\)/],
    ['user data over 1 MB', { userData: 'x'.repeat(1024 * 1024 + 1) }, /at most 1 MB/],
  ])('refuses %s before calling the API', async (_what, over, message) => {
    const { server, provider } = await start({ settings: { regions: ['us-east-1'] } });
    const err = await providerFailure(provider.provision(request('train-1', over)));
    expect(err.errorClass).toBe('invalid');
    expect(err.message).toMatch(message);
    expect(server.log).toEqual([]);
  });

  it('says which setting is missing when no SSH key is configured, and still lists and terminates', async () => {
    const { server, provider } = await start({ settings: { ssh_key_names: [] } });
    const err = await providerFailure(provider.provision(request()));
    expect(err.errorClass).toBe('invalid');
    expect(err.message).toContain('set ssh_key_names');
    const seeded = server.cloud.seed({ tags: { [TAG.fleet]: 'research' } });
    expect((await provider.list({ tags: { [TAG.fleet]: 'research' } })).map((i) => i.id)).toEqual([seeded.id]);
    await provider.terminate(seeded.id);
  });

  it('refuses an instance type Lambda does not sell without spending a launch', async () => {
    const { server, provider } = await start();
    const err = await providerFailure(provider.provision(request('train-1', { instanceType: 'gpu_9x_nothing' })));
    expect(err.errorClass).toBe('invalid');
    expect(err.message).toMatch(/no instance type gpu_9x_nothing \(offered: gpu_1x_a10, /);
    expect(server.calls('POST', '/instance-operations/launch')).toHaveLength(0);
  });

  it('launches once for concurrent requests of one node', async () => {
    const { server, provider } = await start();
    const [a, b, c] = await Promise.all([provider.provision(request()), provider.provision(request()), provider.provision(request())]);
    expect(b?.id).toBe(a?.id);
    expect(c?.id).toBe(a?.id);
    expect(server.calls('POST', '/instance-operations/launch')).toHaveLength(1);
  });

  it('treats a launch answer without ids as transient, and a retry finds what it may have made', async () => {
    const { server, provider } = await start();
    const original = server.cloud.launch.bind(server.cloud);
    server.cloud.launch = (body) => {
      original(body);
      return { status: 200, body: { data: {} } };
    };
    expect((await providerFailure(provider.provision(request()))).errorClass).toBe('transient');
    server.cloud.launch = original;
    const inst = await provider.provision(request());
    expect(inst.id).toBe(server.cloud.instances[0]?.id);
    expect(server.cloud.instances).toHaveLength(1);
  });
});

describe('lambda instances as listed', () => {
  it('map Lambda statuses and report addresses', async () => {
    const { server, provider } = await start();
    const tags = { [TAG.fleet]: 'research' };
    const booting = server.cloud.seed({ tags });
    const active = server.cloud.seed({ tags });
    const unhealthy = server.cloud.seed({ tags });
    server.cloud.opts.bootMs = 30_000;
    active.launchedAt -= 60_000;
    unhealthy.launchedAt -= 60_000;
    unhealthy.forced = 'unhealthy';
    const states = new Map((await provider.list({ tags })).map((i) => [i.id, i]));
    expect(states.get(booting.id)?.state).toBe('pending');
    expect(states.get(active.id)?.state).toBe('running');
    expect(states.get(unhealthy.id)?.state).toBe('failed');
    expect(states.get(active.id)?.publicIp).toMatch(/^198\.51\.100\.\d+$/);
    expect(states.get(active.id)?.privateIp).toMatch(/^10\.0\.2\.\d+$/);
    expect(states.get(active.id)?.instanceType).toBe('gpu_1x_a10');
  });

  it('list a terminating instance as stopping, and a new launch for its node does not adopt it', async () => {
    const { provider } = await start({ server: { terminatingMs: 60_000 } });
    const first = await provider.provision(request());
    await provider.terminate(first.id);
    const listed = await provider.list({ tags: { [TAG.fleet]: 'research' } });
    expect(listed.map((i) => [i.id, i.state])).toEqual([[first.id, 'stopping']]);
    const second = await provider.provision(request());
    expect(second.id).not.toBe(first.id);
  });

  it('find navarch\'s instances by name where the API keeps no tags, and never mistake others\' for them', async () => {
    const { server, provider } = await start({ server: { supportsTags: false } });
    const inst = await provider.provision(request());
    expect(server.cloud.instances[0]?.tags).toEqual([]);
    server.cloud.seed({ name: 'research.train-1' });
    server.cloud.seed({ name: 'My Instance' });
    const listed = await provider.list({ tags: { [TAG.managedBy]: MANAGED_BY_VALUE, [TAG.fleet]: 'research' } });
    expect(listed.map((i) => i.id)).toEqual([inst.id]);
    expect(listed[0]?.tags).toEqual({ [TAG.managedBy]: MANAGED_BY_VALUE, [TAG.fleet]: 'research', [TAG.pool]: 'train', [TAG.node]: 'train-1' });
    expect((await provider.list({ tags: { [TAG.pool]: 'train' } })).map((i) => i.id)).toEqual([inst.id]);
    // Idempotent by name alone: the second call finds the first instance.
    expect((await provider.provision(request())).id).toBe(inst.id);
    expect(server.calls('POST', '/instance-operations/launch')).toHaveLength(1);
  });
});

describe('lambda transport failures', () => {
  it('read an answer that is not JSON by its status', async () => {
    const { server, provider } = await start();
    server.cloud.takeFailure = () => ({ status: 502, body: '<html>Bad Gateway</html>' });
    const err = await providerFailure(provider.list({ tags: {} }));
    expect(err).toMatchObject({ errorClass: 'transient', providerCode: 'HTTP 502' });
  });

  it('read a success without data as transient', async () => {
    const { server, provider } = await start();
    server.cloud.takeFailure = () => ({ status: 200, body: { instances: [] } });
    expect((await providerFailure(provider.list({ tags: {} }))).errorClass).toBe('transient');
  });

  it('read an unreachable API as transient', async () => {
    const { server, provider } = await start();
    await server.close();
    const err = await providerFailure(provider.list({ tags: {} }));
    expect(err.errorClass).toBe('transient');
    expect(err.retryable).toBe(true);
  });

  it('let the caller\'s abort through as it came, not as a cloud failure', async () => {
    const { provider } = await start();
    const ac = new AbortController();
    const reason = new Error('interrupted');
    ac.abort(reason);
    await expect(provider.provision(request(), ac.signal)).rejects.toBe(reason);
    await expect(provider.list({ tags: {} }, ac.signal)).rejects.toBe(reason);
  });
});

describe('lambda offers', () => {
  it('report live capacity per region with catalog prices, not the API\'s', async () => {
    const { provider } = await start({ server: { capacity: { gpu_1x_h100_pcie: { 'us-east-1': 0 } } } });
    const offers = await provider.offers!();
    const h100 = offers.filter((o) => o.instanceType === 'gpu_1x_h100_pcie');
    const byRegion = new Map(h100.map((o) => [o.region, o]));
    expect(byRegion.get('us-east-1')).toEqual({ provider: 'lam', instanceType: 'gpu_1x_h100_pcie', region: 'us-east-1', available: false, pricePerHour: 3.29 });
    expect(byRegion.get('us-west-1')).toMatchObject({ available: true, pricePerHour: 3.29 });
    // A region the catalog does not list yet is priced as the type is everywhere else on Lambda.
    expect(byRegion.get('us-east-3')).toMatchObject({ available: true, pricePerHour: 3.29 });
    // A catalog region the API reports no capacity in is an offer without capacity.
    expect(byRegion.get('us-midwest-1')).toMatchObject({ available: false });
    // A type the catalog does not know is still offered, without a price.
    expect(offers.find((o) => o.instanceType === 'gpu_8x_x900_sxm9')).toMatchObject({ available: true, pricePerHour: undefined });
    expect(offers).toEqual([...offers].sort((a, b) => a.instanceType.localeCompare(b.instanceType) || a.region.localeCompare(b.region)));
  });

  it('cover only the provider\'s regions when it names some', async () => {
    const { provider } = await start({ settings: { regions: ['us-west-1', 'us-south-1'] } });
    const regions = new Set((await provider.offers!()).map((o) => o.region));
    expect([...regions].sort()).toEqual(['us-south-1', 'us-west-1']);
  });
});

describe('lambda API key', () => {
  it('is held where neither serialising nor inspecting the provider can reach it', async () => {
    const { provider } = await start();
    await provider.list({ tags: {} });
    expect(JSON.stringify(provider)).not.toContain(TEST_API_KEY);
    expect(inspect(provider, { depth: 20, showHidden: true })).not.toContain(TEST_API_KEY);
  });

  it('is scrubbed from errors even when the API repeats it', async () => {
    const { provider } = await start({ env: { LAMBDA_API_KEY: `${TEST_API_KEY}-old` }, server: { echoAuthorization: true } });
    const err = await providerFailure(provider.list({ tags: {} }));
    expect(err.errorClass).toBe('auth');
    expect(err.message).toContain('[REDACTED]');
    expect(`${err.message} ${JSON.stringify(err.toJSON())} ${err.stack ?? ''}`).not.toContain(TEST_API_KEY);
  });
});
