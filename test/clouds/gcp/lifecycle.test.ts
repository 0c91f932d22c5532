/** Names, ids and labels over an instance's life: races on a name, stale ids, label updates. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG } from '../../../src/model/index.js';
import { instanceName } from '../../../src/providers/gcp/index.js';
import { providerFailure } from '../../helpers/provider-requests.js';
import { gcpRequest, startGcp, type GcpTestbed } from './harness.js';

let bed: GcpTestbed;
beforeEach(async () => {
  bed = await startGcp();
});
afterEach(async () => {
  await bed.close();
});

const NAME = instanceName('research', 'train-1');
const OWN_LABELS = { [TAG.fleet]: 'research', [TAG.node]: 'train-1', [TAG.pool]: 'train' };

describe('a create that finds the name taken', () => {
  it('returns the node instance another process created a moment earlier', async () => {
    let raced: string | undefined;
    bed.server.state.onInsert = (zone, name) => {
      if (!raced) raced = bed.server.state.seed({ labels: OWN_LABELS, zone, name }).id;
    };
    const inst = await bed.provider.provision(gcpRequest());
    expect(inst.id).toBe(`us-central1-a/${NAME}/${raced}`);
    expect(bed.server.state.instances.size).toBe(1);
  });

  it('refuses when the name belongs to an instance that is not the node', async () => {
    bed.server.state.seed({ labels: { team: 'someone-else' }, zone: 'us-central1-a', name: NAME });
    const err = await providerFailure(bed.provider.provision(gcpRequest()));
    expect(err).toMatchObject({ errorClass: 'invalid', providerCode: 'alreadyExists', location: 'us-central1-a' });
  });

  it('asks for a retry while the node previous instance is still being deleted', async () => {
    bed.server.state.seed({ labels: OWN_LABELS, zone: 'us-central1-a', name: NAME, status: 'STOPPING' });
    const err = await providerFailure(bed.provider.provision(gcpRequest()));
    expect(err).toMatchObject({ errorClass: 'transient', providerCode: 'RESOURCE_BEING_DELETED' });
  });
});

describe('terminate', () => {
  it('never deletes a later instance that reuses the name of the one meant', async () => {
    const first = await bed.provider.provision(gcpRequest());
    await bed.provider.terminate(first.id);
    const second = await bed.provider.provision(gcpRequest());
    expect(second.id).not.toBe(first.id);
    const deletes = bed.server.calls('DELETE', /\/instances\//).length;
    await bed.provider.terminate(first.id);
    expect(bed.server.calls('DELETE', /\/instances\//)).toHaveLength(deletes);
    expect((await bed.provider.list({ tags: {} })).map((i) => i.id)).toEqual([second.id]);
  });
});

describe('setLabels', () => {
  it('replaces the user labels, keeps navarch labels, and guards with the fingerprint', async () => {
    const inst = await bed.provider.provision(gcpRequest());
    const before = [...bed.server.state.instances.values()][0]?.labelFingerprint;
    await bed.provider.setLabels?.(inst.id, { team: 'infra', cost: 'gpu', [TAG.fleet]: 'hijacked' });
    const call = bed.server.calls('POST', /\/setLabels$/)[0];
    expect((call?.body as { labelFingerprint?: string }).labelFingerprint).toBe(before);
    const [listed] = await bed.provider.list({ tags: { [TAG.node]: 'train-1' } });
    expect(listed?.tags).toEqual({ ...gcpRequest().tags, team: 'infra', cost: 'gpu' });
  });

  it('reports a gone instance as not found', async () => {
    const err = await providerFailure(bed.provider.setLabels?.('us-central1-a/gone/123', {}) ?? Promise.resolve());
    expect(err.errorClass).toBe('not-found');
  });

  it('treats a fingerprint conflict as transient', async () => {
    const inst = await bed.provider.provision(gcpRequest());
    bed.server.fail('setLabels', { kind: 'http', status: 412, reason: 'conditionNotMet', message: 'Labels fingerprint either invalid or resource labels have changed' });
    const err = await providerFailure(bed.provider.setLabels?.(inst.id, { team: 'x' }) ?? Promise.resolve());
    expect(err.errorClass).toBe('transient');
  });
});
