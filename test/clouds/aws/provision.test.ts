/** Launching on EC2: idempotency through ClientToken and tags, zones and subnets, capacity, spot prices. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG } from '../../../src/model/index.js';
import { clientToken } from '../../../src/providers/aws/index.js';
import { providerFailure } from '../../helpers/provider-requests.js';
import { awsTestbed, ec2Request, SUBNETS, type AwsTestbed } from './harness.js';

let bed: AwsTestbed;
beforeEach(async () => {
  bed = await awsTestbed();
});
afterEach(async () => {
  await bed.close();
});

const liveOnServer = (): string[] =>
  [...bed.server.world.instances.values()].filter((i) => i.state !== 'terminated' && i.state !== 'shutting-down').map((i) => i.id);

describe('idempotent launches', () => {
  it('a retry after a lost reply gets the instance the first call created', async () => {
    bed.server.dropReplies('RunInstances');
    const err = await providerFailure(bed.provider.provision(ec2Request()));
    expect(err.retryable).toBe(true);
    expect(liveOnServer()).toHaveLength(1);
    const inst = await bed.provider.provision(ec2Request());
    expect(liveOnServer()).toEqual([inst.id]);
  });

  it('the ClientToken holds when the tag filter has not caught up with the launch yet', async () => {
    bed.server.dropReplies('RunInstances');
    await providerFailure(bed.provider.provision(ec2Request()));
    const [first] = liveOnServer();
    bed.server.hidden.add(first ?? '');
    const inst = await bed.provider.provision(ec2Request());
    expect(inst.id).toBe(first);
    expect(liveOnServer()).toHaveLength(1);
    const tokens = bed.server.calls('RunInstances').map((c) => c.params['ClientToken']);
    expect(tokens).toEqual([clientToken('research', 'train-1', 1), clientToken('research', 'train-1', 1)]);
  });

  it('an existing instance of the node is returned without calling RunInstances', async () => {
    const first = await bed.provider.provision(ec2Request());
    const again = await bed.provider.provision(ec2Request());
    expect(again.id).toBe(first.id);
    expect(bed.server.calls('RunInstances')).toHaveLength(1);
  });

  it('a node launched again after its instance was terminated gets a new instance under the next token', async () => {
    const first = await bed.provider.provision(ec2Request());
    await bed.provider.terminate(first.id);
    bed.server.settle();
    const second = await bed.provider.provision(ec2Request());
    expect(second.id).not.toBe(first.id);
    const tokens = bed.server.calls('RunInstances').map((c) => c.params['ClientToken']);
    // Generation 1 answers with the terminated instance (EC2 remembers tokens for a day), so generation 2 launches.
    expect(tokens).toEqual([clientToken('research', 'train-1', 1), clientToken('research', 'train-1', 1), clientToken('research', 'train-1', 2)]);
    expect(liveOnServer()).toEqual([second.id]);
  });

  it('a token that launched with other parameters finds that instance instead of failing', async () => {
    bed.server.dropReplies('RunInstances');
    await providerFailure(bed.provider.provision(ec2Request({ zone: 'us-east-1a' })));
    const [first] = liveOnServer();
    bed.server.hidden.add(first ?? '');
    // Another run tries the other zone first (a remembered capacity failure, say): the same token, another subnet.
    const inst = await bed.provider.provision(ec2Request({ zone: 'us-east-1b' }));
    expect(inst.id).toBe(first);
    expect(inst.zone).toBe('us-east-1a');
    expect(liveOnServer()).toHaveLength(1);
    const lookup = bed.server.calls('DescribeInstances').at(-1)?.params;
    expect(lookup).toMatchObject({ 'Filter.1.Name': 'client-token', 'Filter.1.Value.1': clientToken('research', 'train-1', 1) });
  });

  it('two fleets in one account may use the same node names', async () => {
    const a = await bed.provider.provision(ec2Request());
    const b = await bed.provider.provision(ec2Request({ tags: { ...ec2Request().tags, [TAG.fleet]: 'vision' } }));
    expect(b.id).not.toBe(a.id);
    expect(liveOnServer()).toHaveLength(2);
  });
});

describe('zones and subnets', () => {
  it('reports the zone the instance landed in', async () => {
    const inst = await bed.provider.provision(ec2Request({ zone: 'us-east-1b' }));
    expect(inst.zone).toBe('us-east-1b');
    expect(bed.server.calls('RunInstances')[0]?.params['SubnetId']).toBe(SUBNETS['us-east-1b']);
  });

  it('without a requested zone, tries the region subnets in order past capacity errors', async () => {
    bed.server.setCapacity('p5.48xlarge', 'us-east-1a', 0);
    const inst = await bed.provider.provision(ec2Request({ zone: undefined }));
    expect(inst.zone).toBe('us-east-1b');
    expect(bed.server.calls('RunInstances').map((c) => c.params['SubnetId'])).toEqual([SUBNETS['us-east-1a'], SUBNETS['us-east-1b']]);
  });

  it('without a requested zone, reports capacity for the region when every subnet is full', async () => {
    bed.server.setCapacity('p5.48xlarge', 'us-east-1a', 0);
    bed.server.setCapacity('p5.48xlarge', 'us-east-1b', 0);
    const err = await providerFailure(bed.provider.provision(ec2Request({ zone: undefined })));
    expect(err).toMatchObject({ errorClass: 'capacity', providerCode: 'InsufficientInstanceCapacity', location: 'us-east-1' });
    expect(err.tryElsewhere).toBe(true);
  });

  it('stops at the first error that is not about capacity', async () => {
    bed.server.inject({ action: 'RunInstances', code: 'VcpuLimitExceeded', status: 400 });
    const err = await providerFailure(bed.provider.provision(ec2Request({ zone: undefined })));
    expect(err.errorClass).toBe('quota');
    expect(bed.server.calls('RunInstances')).toHaveLength(1);
  });

  it('a full zone is a capacity error naming the zone, with EC2 message', async () => {
    bed.server.setCapacity('p5.48xlarge', 'us-east-1a', 1);
    bed.server.setCapacity('p5.48xlarge', 'us-east-1b', 4);
    await bed.provider.provision(ec2Request({ nodeName: 'train-1' }));
    const err = await providerFailure(bed.provider.provision(ec2Request({ nodeName: 'train-2' })));
    expect(err).toMatchObject({ errorClass: 'capacity', location: 'us-east-1a', providerCode: 'InsufficientInstanceCapacity' });
    expect(err.message).toContain('We currently do not have sufficient p5.48xlarge capacity in the Availability Zone you requested (us-east-1a)');
  });

  it('refuses a zone that has no subnet, before calling EC2', async () => {
    const err = await providerFailure(bed.provider.provision(ec2Request({ zone: 'us-east-1c' })));
    expect(err).toMatchObject({ errorClass: 'invalid', location: 'us-east-1c' });
    expect(bed.server.requests).toHaveLength(0);
  });

  it('launches by zone in the default VPC of a region without subnets', async () => {
    await bed.close();
    bed = await awsTestbed({ settings: { subnets: {} } });
    const inst = await bed.provider.provision(ec2Request({ zone: 'us-east-1c' }));
    expect(bed.server.calls('RunInstances')[0]?.params['Placement.AvailabilityZone']).toBe('us-east-1c');
    expect(inst.zone).toBe('us-east-1c');
  });

  it('refuses a region without an AMI', async () => {
    await bed.close();
    bed = await awsTestbed({ settings: { ami: { 'us-west-2': 'ami-0f1e2d3c4b5a69788' } } });
    const err = await providerFailure(bed.provider.provision(ec2Request()));
    expect(err).toMatchObject({ errorClass: 'invalid', location: 'us-east-1' });
    expect(err.message).toContain('no AMI is configured for region us-east-1');
  });

  it('an AMI EC2 does not know is invalid, not capacity', async () => {
    await bed.close();
    bed = await awsTestbed({ settings: { ami: 'ami-0deadbeef0000000' } });
    const err = await providerFailure(bed.provider.provision(ec2Request()));
    expect(err).toMatchObject({ errorClass: 'invalid', providerCode: 'InvalidAMIID.NotFound' });
  });
});

describe('spot', () => {
  it('a spot price above the pool cap is a capacity error: it may be lower elsewhere', async () => {
    bed.server.setSpotPrice('p5.48xlarge', 30);
    const err = await providerFailure(bed.provider.provision(ec2Request({ spot: true, maxPricePerHour: 24 })));
    expect(err).toMatchObject({ errorClass: 'capacity', providerCode: 'SpotMaxPriceTooLow', location: 'us-east-1a' });
  });

  it('without a cap, spot pays up to the on-demand price (EC2 default)', async () => {
    bed.server.setSpotPrice('p5.48xlarge', 30);
    const inst = await bed.provider.provision(ec2Request({ spot: true }));
    expect(inst.spot).toBe(true);
    expect(bed.server.calls('RunInstances')[0]?.params['InstanceMarketOptions.SpotOptions.MaxPrice']).toBeUndefined();
  });
});

describe('user data', () => {
  it('is sent base64-encoded, whatever it contains', async () => {
    const script = '#cloud-config\nwrite_files:\n  - path: /etc/navarch/agent.yaml\n    content: "ünïcode & <xml>"\n';
    await bed.provider.provision(ec2Request({ userData: script }));
    expect([...bed.server.world.instances.values()][0]?.userData).toBe(script);
  });

  it('over EC2 16 KB limit is an invalid request', async () => {
    const err = await providerFailure(bed.provider.provision(ec2Request({ userData: 'x'.repeat(16385) })));
    expect(err).toMatchObject({ errorClass: 'invalid', providerCode: 'InvalidParameterValue' });
  });
});

describe('abort', () => {
  it('an aborted provision rejects with the abort, unclassified', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(bed.provider.provision(ec2Request(), controller.signal)).rejects.toThrow('stop');
    expect(bed.server.requests).toHaveLength(0);
  });
});
