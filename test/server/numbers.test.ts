/**
 * Numbers in agent bodies are bounded: a sequence number is a safe integer, counts are not
 * negative, nothing is infinite (`1e400` parses to Infinity), and a reading past what any hardware
 * can report is refused with 400 naming the field, storing nothing. A reading that is merely
 * implausible (a sensor's sentinel, such as a temperature of 255) is stored, and the node it came
 * from turns unhealthy with a reason naming the GPU and the sensor.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, registration, startServer, T0, type TestServer } from './helpers.js';

let s: TestServer;
beforeEach(async () => {
  s = await startServer();
  await s.agent('train-1').register();
});
afterEach(async () => {
  await s.close();
});

const time = new Date(T0).toISOString();

async function snapshot(id: string): Promise<unknown> {
  return { node: await s.store.getNode(id), events: await s.store.events(id, 1000), reports: await s.store.reports(id, 1000), commands: await s.store.commands(id, 1000) };
}

/** Sends a body as written (so `1e400` reaches the server as the agent's bytes, not as JSON.stringify(Infinity)). */
async function raw(path: string, text: string): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  return call(`${s.url}/v1/nodes/train-1/${path}`, { token: s.agent('train-1').token, raw: text });
}

const heartbeat = (seq: string, gpu = '{"index": 0, "temperatureC": 60}', host = '{}') => `{"seq": ${seq}, "time": "${time}", "gpus": [${gpu}], "host": ${host}}`;
const report = (events: string, seq = '1') => `{"id": "boot-1-1", "seq": ${seq}, "time": "${time}", "checks": [], "events": [${events}]}`;

describe('numbers in agent bodies', () => {
  it.each([
    ['a sequence number that parses to Infinity', 'heartbeat', heartbeat('1e400'), 'body/seq'],
    ['a sequence number past 2^53', 'heartbeat', heartbeat('1e308'), 'body/seq'],
    ['a sequence number of 2^64', 'heartbeat', heartbeat('18446744073709551616'), 'body/seq'],
    ['a negative sequence number', 'heartbeat', heartbeat('-1'), 'body/seq'],
    ['a temperature no sensor can report', 'heartbeat', heartbeat('1', '{"index": 0, "temperatureC": 1e12}'), 'body/gpus/0/temperatureC'],
    ['an infinite power draw', 'heartbeat', heartbeat('1', '{"index": 0, "powerW": 1e400}'), 'body/gpus/0/powerW'],
    ['a negative utilisation', 'heartbeat', heartbeat('1', '{"index": 0, "utilizationPct": -1}'), 'body/gpus/0/utilizationPct'],
    ['more GPU memory than 2^64 bytes', 'heartbeat', heartbeat('1', '{"index": 0, "memoryUsedMiB": 1e30}'), 'body/gpus/0/memoryUsedMiB'],
    ['an infinite host load', 'heartbeat', heartbeat('1', '{"index": 0}', '{"load1": 1e400}'), 'body/host/load1'],
    ['an infinite field the schema does not know', 'heartbeat', heartbeat('1', '{"index": 0, "clockMHz": -1e400}'), 'body/gpus/0/clockMHz'],
    ['a report sequence number of 1e400', 'health', report('', '1e400'), 'body/seq'],
    ['a negative ECC count', 'health', report(`{"kind": "ecc", "time": "${time}", "gpu": 0, "volatileCorrected": -1, "volatileUncorrected": 0, "aggregateCorrected": 0, "aggregateUncorrected": 0}`), 'body/events/0/volatileCorrected'],
    ['an ECC count of 2^64', 'health', report(`{"kind": "ecc", "time": "${time}", "gpu": 0, "volatileCorrected": 0, "volatileUncorrected": 0, "aggregateCorrected": 18446744073709551616, "aggregateUncorrected": 0}`), 'body/events/0/aggregateCorrected'],
    ['an infinite NVLink error count', 'health', report(`{"kind": "nvlink", "time": "${time}", "gpu": 0, "link": 1, "state": "up", "errors": 1e400}`), 'body/events/0/errors'],
    ['a thermal event past any sensor', 'health', report(`{"kind": "thermal", "time": "${time}", "gpu": 0, "temperatureC": 1e20, "throttleReasons": []}`), 'body/events/0/temperatureC'],
    ['an infinite diagnostic detail', 'commands/cmd-1/ack', '{"result": "ok", "details": {"seconds": 1e400}}', 'body/details/seconds'],
  ])('refuses %s with 400 naming the field, storing nothing', async (_what, path, text, field) => {
    await s.agent('train-1').heartbeat();
    const before = await snapshot('train-1');
    const r = await raw(path, text);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('request.invalid');
    expect(r.body.error?.message).toContain(`${field} `);
    expect(await snapshot('train-1')).toEqual(before);
  });

  it('refuses a registration whose GPU memory is infinite', async () => {
    const before = await snapshot('train-1');
    const text = JSON.stringify(registration()).replace('"memoryMiB":81559', '"memoryMiB":1e400');
    const r = await call(`${s.url}/v1/nodes/train-1/register`, { token: s.agent('train-1').token, raw: text });
    expect(r.status).toBe(400);
    expect((r.body as { error: { message: string } }).error.message).toContain('body/gpus/0/memoryMiB ');
    expect(await snapshot('train-1')).toEqual(before);
  });

  it('keeps a sensor sentinel and judges the node unhealthy, naming the GPU and the sensor', async () => {
    const a = s.agent('train-1');
    const hb = await a.heartbeat([{ index: 0, temperatureC: 61 }, { index: 3, temperatureC: 255, powerW: 500 }]);
    expect(hb.status).toBe(200);
    expect((await s.store.getNode('train-1'))?.heartbeat?.gpus[1]).toEqual({ index: 3, temperatureC: 255, powerW: 500 });
    expect((await a.report()).status).toBe(200);
    expect((await a.report()).status).toBe(200);
    const node = (await call<{ node: { health: string; health_reason: string } }>(`${s.url}/v1/nodes/train-1`, { token: ADMIN })).body.node;
    expect(node.health).toBe('unhealthy');
    expect(node.health_reason).toMatch(/^sensor fault on GPU 3 \(0000:4b:00\.0\): the temperature sensor reads 255°C/);
  });

  it.each([
    ['NVML’s 0xFFFFFFFF as utilisation', { index: 2, utilizationPct: 4294967295 }, 'GPU 2', 'utilisation'],
    ['0xFFFFFFFF milliwatts as power', { index: 2, powerW: 4294967.295 }, 'GPU 2', 'power'],
    ['a temperature of 65535', { index: 2, temperatureC: 65535 }, 'GPU 2', 'temperature'],
  ])('stores %s as a sensor fault', async (_what, gpu, label, sensor) => {
    const a = s.agent('train-1');
    expect((await a.heartbeat([gpu])).status).toBe(200);
    await a.report();
    await a.report();
    const node = (await call<{ node: { health: string; health_reason: string } }>(`${s.url}/v1/nodes/train-1`, { token: ADMIN })).body.node;
    expect(node.health).toBe('unhealthy');
    expect(node.health_reason).toContain(`sensor fault on ${label} `);
    expect(node.health_reason).toContain(`the ${sensor} sensor reads`);
  });

  it('stores a thermal event with a sentinel temperature as a sensor fault', async () => {
    const a = s.agent('train-1');
    const thermal = { kind: 'thermal' as const, time, gpu: 5, temperatureC: 255, throttleReasons: [] };
    expect((await a.report([thermal])).body).toEqual({ stored: true });
    expect((await a.report([thermal])).body).toEqual({ stored: true });
    expect((await s.store.events('train-1', 10)).map((e) => e.event)).toEqual([thermal, thermal]);
    const node = (await call<{ node: { health: string; health_reason: string } }>(`${s.url}/v1/nodes/train-1`, { token: ADMIN })).body.node;
    expect(node.health).toBe('unhealthy');
    expect(node.health_reason).toMatch(/^sensor fault on GPU 5 \([0-9a-f:.]+\): the temperature sensor reads 255°C/);
  });
});
