import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type HealthEvent } from '../../src/model/index.js';
import { silentLogger } from '../../src/log/index.js';
import { FakeMetadata } from '../../test/agent/metadata-server.js';
import { AwsSpotWatcher, Imds } from './aws.js';
import { detectCloud } from './detect.js';
import { GcpMetadata, GcpPreemptionWatcher } from './gcp.js';

let md: FakeMetadata | undefined;
afterEach(async () => {
  await md?.close();
  md = undefined;
});

const opts = (url: string, clock = new ManualClock()) => ({
  choice: 'auto' as const,
  metadataUrl: url,
  timeoutMs: 2000,
  spotPollMs: 5000,
  gcpWaitSec: 60,
  clock,
  log: silentLogger,
});

describe('cloud detection', () => {
  it('recognises AWS by its IMDSv2 token service and reads the identity', async () => {
    md = await FakeMetadata.start({ cloud: 'aws', instanceId: 'i-0f00', instanceType: 'p4d.24xlarge', zone: 'us-west-2c' });
    const c = await detectCloud(opts(md.url));
    expect(c.name).toBe('aws');
    expect(c.identity).toEqual({ provider: 'aws', instanceId: 'i-0f00', instanceType: 'p4d.24xlarge', zone: 'us-west-2c', region: 'us-west-2' });
    expect(c.watcher?.cloud).toBe('aws');
  });

  it('recognises GCP by Metadata-Flavor and reads the identity', async () => {
    md = await FakeMetadata.start({ cloud: 'gcp', instanceId: 'infer-2', instanceType: 'g2-standard-8', zone: 'europe-west4-b' });
    const c = await detectCloud(opts(md.url));
    expect(c.name).toBe('gcp');
    expect(c.identity).toEqual({ provider: 'gcp', instanceId: 'infer-2', instanceType: 'g2-standard-8', zone: 'europe-west4-b', region: 'europe-west4' });
  });

  it('finds none where nothing answers, and skips asking when told', async () => {
    expect((await detectCloud(opts('http://127.0.0.1:1'))).name).toBe('none');
    expect(await detectCloud({ ...opts('http://127.0.0.1:1'), choice: 'none' })).toEqual({ name: 'none' });
  });
});

describe('AWS spot notices', () => {
  it('reads through a session token, renews it on 401, and reports each notice once', async () => {
    md = await FakeMetadata.start({ cloud: 'aws' });
    const imds = new Imds({ base: md.url, timeoutMs: 2000, now: () => Date.now() });
    const clock = new ManualClock();
    const w = new AwsSpotWatcher(imds, { pollMs: 5000, clock, log: silentLogger });
    const seen: HealthEvent[] = [];
    await w.poll((e) => seen.push(e));
    expect(seen).toEqual([]);
    md.setSpotAction('stop', '2026-01-01T00:02:00Z');
    md.revokeTokens();
    await w.poll((e) => seen.push(e));
    await w.poll((e) => seen.push(e));
    expect(seen).toEqual([{ kind: 'preemption', time: '2026-01-01T00:00:00.000Z', cloud: 'aws', action: 'stop', at: '2026-01-01T00:02:00Z' }]);
    expect(md.requests.filter((r) => r.method === 'PUT').length).toBe(2); // the first token, and one after the revocation
    expect(md.requests.filter((r) => r.path.endsWith('/spot/instance-action')).map((r) => r.status)).toEqual([404, 401, 200, 200]);
  });

  it('refuses a request without a token (the fake enforces IMDSv2)', async () => {
    md = await FakeMetadata.start({ cloud: 'aws' });
    const res = await fetch(`${md.url}/latest/meta-data/instance-id`);
    expect(res.status).toBe(401);
  });
});

describe('GCP preemption', () => {
  it('long-polls instance/preempted and reports TRUE once', async () => {
    md = await FakeMetadata.start({ cloud: 'gcp' });
    const w = new GcpPreemptionWatcher(new GcpMetadata({ base: md.url, timeoutMs: 2000 }), { waitSec: 30, clock: new ManualClock(), log: silentLogger });
    const seen: HealthEvent[] = [];
    const ac = new AbortController();
    const done = w.run((e) => seen.push(e), ac.signal);
    const deadline = Date.now() + 5000;
    while (!md.requests.some((r) => r.path.endsWith('/instance/preempted'))) {
      if (Date.now() > deadline) throw new Error('no poll');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 50)); // now waiting for a change
    md.preempt();
    while (seen.length === 0) {
      if (Date.now() > deadline) throw new Error('no notice');
      await new Promise((r) => setTimeout(r, 10));
    }
    ac.abort();
    await done;
    expect(seen).toEqual([{ kind: 'preemption', time: '2026-01-01T00:00:00.000Z', cloud: 'gcp', action: 'preempted' }]);
  });

  it('refuses a request without Metadata-Flavor (the fake enforces it)', async () => {
    md = await FakeMetadata.start({ cloud: 'gcp' });
    const res = await fetch(`${md.url}/computeMetadata/v1/instance/id`);
    expect(res.status).toBe(403);
  });
});
