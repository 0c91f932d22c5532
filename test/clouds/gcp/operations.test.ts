/** Waiting on zone operations: repeated waits, navarch's deadline, and cancellation, on a manual clock. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../../src/model/index.js';
import type { Provider } from '../../../src/providers/index.js';
import { providerFailure } from '../../helpers/provider-requests.js';
import { gcpRequest, startGcp, type GcpTestbed } from './harness.js';

let bed: GcpTestbed;
let clock: ManualClock;
let provider: Provider;
beforeEach(async () => {
  clock = new ManualClock();
  bed = await startGcp();
  provider = await bed.makeProvider({ clock });
});
afterEach(async () => {
  await bed.close();
});

/** Lets real I/O happen, and moves the clock on whenever the provider sleeps on it, until `promise` settles. */
async function drive<T>(promise: Promise<T>, stepMs: number, onPause?: () => void): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  while (!settled) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (clock.pending > 0) {
      onPause?.();
      clock.advance(stepMs);
    }
  }
  return watched;
}

const waits = (): number => bed.server.calls('POST', /\/operations\/[^/]+\/wait$/).length;

it('waits again while the operation is still running, pausing on the clock between waits', async () => {
  bed.server.state.waitsBeforeDone = 3;
  let pauses = 0;
  const inst = await drive(provider.provision(gcpRequest()), 60_000, () => pauses++);
  expect(inst.state).toBe('running');
  expect(waits()).toBe(4);
  // The first wait follows the insert at once; each later one comes after a pause.
  expect(pauses).toBe(3);
});

it('gives up on an operation that outlives the deadline, and a retry adopts the instance it left', async () => {
  bed.server.state.waitsBeforeDone = 1_000;
  const err = await providerFailure(drive(provider.provision(gcpRequest()), 5 * 60_000));
  expect(err).toMatchObject({ errorClass: 'transient', providerCode: 'OPERATION_TIMEOUT', location: 'us-central1-a' });
  expect([...bed.server.state.instances.values()].map((i) => i.status)).toEqual(['PROVISIONING']);

  const again = await provider.provision(gcpRequest());
  expect(again.state).toBe('pending');
  expect(bed.server.calls('POST', /\/instances$/)).toHaveLength(1);
});

it('stops waiting when the signal aborts', async () => {
  bed.server.state.waitsBeforeDone = 10;
  const controller = new AbortController();
  const outcome = drive(provider.provision(gcpRequest(), controller.signal), 1_000, () => controller.abort(new Error('interrupted')));
  await expect(outcome).rejects.toThrow('interrupted');
});

it('waits for a delete to finish, so the name is free and the instance gone from the next list', async () => {
  const inst = await provider.provision(gcpRequest());
  bed.server.state.waitsBeforeDone = 2;
  await drive(provider.terminate(inst.id), 60_000);
  expect(bed.server.state.instances.size).toBe(0);
  expect(await provider.list({ tags: {} })).toEqual([]);
});
