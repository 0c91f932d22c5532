/** aggregatedList: label filters, pagination across zones, and what each instance reads as. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { TAG } from '../../../src/model/index.js';
import { gcpRequest, startGcp, type GcpTestbed } from './harness.js';

const PAGE_SIZE = 3;
let bed: GcpTestbed;
beforeEach(async () => {
  bed = await startGcp({ pageSize: PAGE_SIZE });
});
afterEach(async () => {
  await bed.close();
});

it('follows nextPageToken across pages and zones with the same filter on every page', async () => {
  const zones = ['us-central1-a', 'us-east1-b', 'europe-west4-a', 'us-central1-c'];
  for (let i = 0; i < 10; i++) {
    bed.server.state.seed({ labels: { [TAG.fleet]: 'paged', [TAG.node]: `n-${i}` }, zone: zones[i % zones.length] ?? 'us-central1-a' });
  }
  bed.server.state.seed({ labels: { [TAG.fleet]: 'other' } });
  const listed = await bed.provider.list({ tags: { [TAG.fleet]: 'paged' } });
  expect(listed.map((i) => i.tags[TAG.node]).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `n-${i}`).sort());
  expect(new Set(listed.map((i) => i.zone))).toEqual(new Set(zones));

  const calls = bed.server.calls('GET', /\/aggregated\/instances$/);
  expect(calls).toHaveLength(4);
  expect(calls[0]?.query['pageToken']).toBeUndefined();
  for (const c of calls) expect(c.query['filter']).toBe(`(labels.${TAG.fleet} = "paged")`);
  expect(calls.slice(1).every((c) => typeof c.query['pageToken'] === 'string')).toBe(true);
});

it('matches label values exactly and sends no filter for an empty one', async () => {
  bed.server.state.seed({ labels: { [TAG.fleet]: 'ab' } });
  bed.server.state.seed({ labels: { [TAG.fleet]: 'a' } });
  expect((await bed.provider.list({ tags: { [TAG.fleet]: 'a' } })).map((i) => i.tags[TAG.fleet])).toEqual(['a']);
  expect(await bed.provider.list({ tags: {} })).toHaveLength(2);
  expect(bed.server.calls('GET', /\/aggregated\/instances$/)[1]?.query).not.toHaveProperty('filter');
});

it('reads each Compute Engine status as navarch state', async () => {
  const statuses = ['PROVISIONING', 'STAGING', 'RUNNING', 'STOPPING', 'SUSPENDING', 'SUSPENDED', 'TERMINATED', 'STOPPED', 'REPAIRING', 'DEPROVISIONING'];
  for (const status of statuses) bed.server.state.seed({ labels: { status: status.toLowerCase() }, status });
  const listed = await bed.provider.list({ tags: {} });
  const states = Object.fromEntries(listed.map((i) => [i.tags['status']?.toUpperCase(), i.state]));
  expect(states).toEqual({
    PROVISIONING: 'pending',
    STAGING: 'pending',
    RUNNING: 'running',
    STOPPING: 'stopping',
    SUSPENDING: 'stopping',
    DEPROVISIONING: 'stopping',
    SUSPENDED: 'failed',
    TERMINATED: 'failed',
    STOPPED: 'failed',
    REPAIRING: 'failed',
  });
});

it('reports ids, places, addresses, launch time and spot as provisioned', async () => {
  const made = await bed.provider.provision(gcpRequest({ spot: true, zone: 'us-central1-b' }));
  const [listed] = await bed.provider.list({ tags: { [TAG.node]: 'train-1' } });
  expect(listed).toEqual(made);
  const stored = [...bed.server.state.instances.values()][0];
  expect(listed).toMatchObject({
    id: `us-central1-b/${stored?.name}/${stored?.id}`,
    provider: 'gcp-test',
    region: 'us-central1',
    zone: 'us-central1-b',
    instanceType: 'g2-standard-4',
    spot: true,
    state: 'running',
    privateIp: stored?.networkIP,
    publicIp: stored?.natIP,
  });
  expect(listed?.launchedAt).toBe(new Date(stored?.created ?? 0).toISOString());
});
