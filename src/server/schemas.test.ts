import { describe, expect, it } from 'vitest';
import type { CommandAck, HealthEvent, HealthReport, HeartbeatRequest, RegisterRequest } from '../model/index.js';
import { AGENT_SCHEMAS, EVENT_KINDS, nonFinitePath, validatorFor } from './schemas.js';

const time = '2026-01-01T00:00:00Z';
// Typed as the agent's own types: a field the schema and the types disagree on fails here.
const EVENTS: HealthEvent[] = [
  { kind: 'xid', time, xid: 79, gpu: 3, pci: '0000:3b:00', message: 'NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.' },
  { kind: 'ecc', time, gpu: 0, volatileCorrected: 1, volatileUncorrected: 0, aggregateCorrected: 4, aggregateUncorrected: 0 },
  { kind: 'remapped-rows', time, gpu: 0, correctable: 0, uncorrectable: 1, pending: true, failure: false },
  { kind: 'retired-pages', time, gpu: 0, singleBit: 2, doubleBit: 0, pending: false },
  { kind: 'thermal', time, gpu: 1, temperatureC: 88, throttleReasons: ['HwThermalSlowdown'] },
  { kind: 'nvlink', time, gpu: 1, link: 4, state: 'down', errors: 12 },
  { kind: 'nvml-failure', time, call: 'nvmlDeviceGetHandleByIndex', error: 'GPU is lost' },
  { kind: 'preemption', time, cloud: 'gcp', action: 'preempted' },
  { kind: 'diagnostic', time, level: 1, passed: true, message: 'dcgmi diag -r 1 passed' },
];

describe('agent API schemas', () => {
  it('accept every body the agent types allow', () => {
    const register: RegisterRequest = {
      provider: 'aws',
      instanceId: 'i-0abc',
      pool: 'train',
      instanceType: 'p5.48xlarge',
      region: 'us-east-1',
      zone: 'us-east-1a',
      gpus: [{ index: 0, uuid: 'GPU-1', pciBusId: '00000000:3B:00.0', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, driverVersion: '550.54.15', cudaVersion: '12.4' }],
      host: { hostname: 'ip-10-0-0-1', kernel: '6.8', os: 'Ubuntu 22.04', cpus: 192, memoryMiB: 2_000_000, agentVersion: '0.1.0', bootId: 'b1' },
      bootChecks: [{ name: 'nvidia-smi', status: 'pass', message: '8 GPUs' }],
    };
    const heartbeat: HeartbeatRequest = { seq: 1, time, gpus: [{ index: 0, temperatureC: 61, powerW: 400, utilizationPct: 99, memoryUsedMiB: 1, memoryTotalMiB: 81559 }], host: { cpuPct: 3, memoryUsedMiB: 1, memoryTotalMiB: 2, load1: 0.5 } };
    const health: HealthReport = { id: 'b1-1', seq: 1, time, checks: [{ name: 'nvml', status: 'warn', message: 'slow' }], events: EVENTS };
    const ack: CommandAck = { result: 'failed', message: 'no such job', details: { exit: 1 } };
    for (const [schema, body] of [
      [AGENT_SCHEMAS.register, register],
      [AGENT_SCHEMAS.heartbeat, heartbeat],
      [AGENT_SCHEMAS.health, health],
      [AGENT_SCHEMAS.ack, ack],
    ] as const) {
      const validate = validatorFor(schema);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(EVENT_KINDS).toEqual(EVENTS.map((e) => e.kind));
  });

  it('ignore fields they do not know, so a newer agent can talk to an older control plane', () => {
    const validate = validatorFor(AGENT_SCHEMAS.heartbeat);
    expect(validate({ seq: 1, time, gpus: [{ index: 0, clockMHz: 1980 }], host: {}, nextGenField: true })).toBe(true);
  });

  it('are JSON Schema 2020-12 documents with an $id and a description', () => {
    for (const [name, schema] of Object.entries(AGENT_SCHEMAS)) {
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(`https://navarch.dev/schemas/agent-${name}.schema.json`);
      expect(schema.description.length).toBeGreaterThan(20);
    }
  });

  it('refuse a number that is not finite anywhere in a body, naming where', () => {
    const validate = validatorFor(AGENT_SCHEMAS.heartbeat);
    expect(validate({ seq: Infinity, time, gpus: [], host: {} })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/seq' });
    expect(validate({ seq: 1, time, gpus: [{ index: 0, extra: { 'a/b': [1, -Infinity] } }], host: {} })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/gpus/0/extra/a~1b/1', message: 'must be a finite number' });
    expect(validate({ seq: 1, time, gpus: [], host: {} })).toBe(true);
    expect(nonFinitePath(JSON.parse('{"a": [[[[1e400]]]]}'))).toBe('/a/0/0/0/0');
  });
});
