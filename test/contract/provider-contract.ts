/**
 * The behaviour every Provider must show, the fake cloud's and each real cloud's adapter alike (the
 * real ones against loopback servers speaking their wire formats). A provider file runs it with
 * `describeProviderContract(name, makeHarness)`; each case gets a fresh harness.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG, type Instance, type ProvisionRequest } from '../../src/model/index.js';
import type { Provider } from '../../src/providers/index.js';
import { navarchTags, providerFailure, provisionRequest } from '../helpers/provider-requests.js';

/** Error classes a cloud can be made to report. */
export type ContractErrorClass = 'capacity' | 'quota' | 'throttled' | 'auth' | 'invalid' | 'transient';
/** Operations failures can be injected into. */
export type ContractOp = 'provision' | 'terminate' | 'list';

/** What a provider's test file supplies: the provider under test and control of the cloud behind it. */
export interface ContractHarness {
  provider: Provider;
  /** a type/region/zone that can be provisioned */
  instanceType: string;
  region: string;
  zone?: string;
  /** Makes the next `count` (default 1) calls of `op` fail with an error of `errorClass` (as the real cloud would report it). */
  injectFailure(op: ContractOp, errorClass: ContractErrorClass, count?: number): Promise<void>;
  /** Creates instances directly in the cloud, outside navarch (for filtering and pagination tests). */
  seed(instances: Array<{ tags: Record<string, string>; instanceType?: string; region?: string }>): Promise<void>;
  /** The page size the cloud uses for list calls (so the suite can seed more than one page). */
  pageSize: number;
  /** An id the cloud has never issued but would accept as well-formed; a default is used when absent. */
  unknownInstanceId?: string;
  close(): Promise<void>;
}

const CLASSES: ContractErrorClass[] = ['capacity', 'quota', 'throttled', 'auth', 'invalid', 'transient'];
/** How apply must treat each class: retry in place, or move to another zone/region/provider. */
const HANDLING: Record<ContractErrorClass, { retryable: boolean; tryElsewhere: boolean }> = {
  capacity: { retryable: false, tryElsewhere: true },
  quota: { retryable: false, tryElsewhere: true },
  throttled: { retryable: true, tryElsewhere: false },
  auth: { retryable: false, tryElsewhere: false },
  invalid: { retryable: false, tryElsewhere: false },
  transient: { retryable: true, tryElsewhere: false },
};

/** Registers the provider contract suite under `name`. */
export function describeProviderContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`provider contract: ${name}`, () => {
    let h: ContractHarness;
    let serial = 0;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.close();
    });

    /** A request as apply makes it for a new node of `fleet`/`pool`, labelled `team: research`. */
    const request = (fleet: string, pool = 'train', node = `${pool}-${++serial}`): ProvisionRequest =>
      provisionRequest(node, { instanceType: h.instanceType, region: h.region, zone: h.zone, tags: navarchTags(fleet, pool, node, { team: 'research' }) });

    const listFleet = (fleet: string): Promise<Instance[]> => h.provider.list({ tags: { [TAG.fleet]: fleet } });

    async function expectProviderError(promise: Promise<unknown>, errorClass: ContractErrorClass): Promise<void> {
      const pe = await providerFailure(promise);
      expect(pe.errorClass).toBe(errorClass);
      expect(pe.provider).toBe(h.provider.name);
      expect(pe.retryable).toBe(HANDLING[errorClass].retryable);
      expect(pe.tryElsewhere).toBe(HANDLING[errorClass].tryElsewhere);
    }

    it('provision returns a pending or running instance with every requested tag, type and region', async () => {
      const req = request('fleet-a');
      const inst = await h.provider.provision(req);
      expect(inst.id).toEqual(expect.any(String));
      expect(inst.provider).toBe(h.provider.name);
      expect(['pending', 'running']).toContain(inst.state);
      expect(inst.instanceType).toBe(h.instanceType);
      expect(inst.region).toBe(h.region);
      if (h.zone !== undefined) expect(inst.zone).toBe(h.zone);
      expect(inst.spot).toBe(false);
      expect(inst.tags).toMatchObject(req.tags);
      const listed = await listFleet('fleet-a');
      expect(listed.map((i) => i.id)).toEqual([inst.id]);
      expect(listed[0]?.tags).toMatchObject(req.tags);
    });

    it('provisioning the same node name twice returns the same instance', async () => {
      const req = request('fleet-a');
      const first = await h.provider.provision(req);
      const second = await h.provider.provision({ ...req });
      expect(second.id).toBe(first.id);
      const listed = await listFleet('fleet-a');
      expect(listed.filter((i) => i.tags[TAG.node] === req.nodeName)).toHaveLength(1);
    });

    it('list returns only instances carrying every filter tag', async () => {
      const mine = await h.provider.provision(request('fleet-a', 'train'));
      const otherPool = await h.provider.provision(request('fleet-a', 'serve'));
      await h.provider.provision(request('fleet-b', 'train'));
      await h.seed([{ tags: {} }, { tags: { [TAG.fleet]: 'fleet-c' } }, { tags: { team: 'research' } }]);

      const fleetA = await listFleet('fleet-a');
      expect(fleetA.map((i) => i.id).sort()).toEqual([mine.id, otherPool.id].sort());
      const trainA = await h.provider.list({ tags: { [TAG.fleet]: 'fleet-a', [TAG.pool]: 'train' } });
      expect(trainA.map((i) => i.id)).toEqual([mine.id]);
      expect(await listFleet('fleet-none')).toEqual([]);
    });

    it('list follows pagination to the end', async () => {
      const count = Math.floor(h.pageSize * 2.5);
      const seeded = Array.from({ length: count }, (_, i) => ({ tags: { [TAG.fleet]: 'paged', [TAG.node]: `n-${i}` } }));
      await h.seed(seeded);
      await h.seed([{ tags: { [TAG.fleet]: 'not-paged' } }]);
      const listed = await listFleet('paged');
      expect(listed).toHaveLength(count);
      expect(new Set(listed.map((i) => i.id)).size).toBe(count);
      expect(new Set(listed.map((i) => i.tags[TAG.node]))).toEqual(new Set(seeded.map((s) => s.tags[TAG.node])));
    });

    it('terminate removes the instance from list', async () => {
      const keep = await h.provider.provision(request('fleet-a'));
      const gone = await h.provider.provision(request('fleet-a'));
      await h.provider.terminate(gone.id);
      expect((await listFleet('fleet-a')).map((i) => i.id)).toEqual([keep.id]);
    });

    it('terminating an unknown or already terminated instance succeeds', async () => {
      const inst = await h.provider.provision(request('fleet-a'));
      await h.provider.terminate(inst.id);
      await expect(h.provider.terminate(inst.id)).resolves.toBeUndefined();
      await expect(h.provider.terminate(h.unknownInstanceId ?? 'does-not-exist-0')).resolves.toBeUndefined();
    });

    it('a node name whose instance was terminated can be provisioned again', async () => {
      const req = request('fleet-a');
      const first = await h.provider.provision(req);
      await h.provider.terminate(first.id);
      const second = await h.provider.provision(req);
      expect(second.id).not.toBe(first.id);
      expect((await listFleet('fleet-a')).map((i) => i.id)).toEqual([second.id]);
    });

    describe.each(CLASSES)('injected %s errors', (errorClass) => {
      it('fail provision as classified, create nothing, then let it succeed', async () => {
        await h.injectFailure('provision', errorClass, 2);
        const req = request('fleet-a');
        await expectProviderError(h.provider.provision(req), errorClass);
        await expectProviderError(h.provider.provision(req), errorClass);
        expect(await listFleet('fleet-a')).toEqual([]);
        const inst = await h.provider.provision(req);
        expect((await listFleet('fleet-a')).map((i) => i.id)).toEqual([inst.id]);
      });

      it('fail terminate as classified and leave the instance, then let it succeed', async () => {
        const inst = await h.provider.provision(request('fleet-a'));
        await h.injectFailure('terminate', errorClass);
        await expectProviderError(h.provider.terminate(inst.id), errorClass);
        expect((await listFleet('fleet-a')).map((i) => i.id)).toEqual([inst.id]);
        await h.provider.terminate(inst.id);
        expect(await listFleet('fleet-a')).toEqual([]);
      });

      it('fail list as classified, then let it succeed', async () => {
        const inst = await h.provider.provision(request('fleet-a'));
        await h.injectFailure('list', errorClass);
        await expectProviderError(listFleet('fleet-a'), errorClass);
        expect((await listFleet('fleet-a')).map((i) => i.id)).toEqual([inst.id]);
      });
    });
  });
}
