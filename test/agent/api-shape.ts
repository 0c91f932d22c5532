/**
 * Shape checks for the agent API bodies (src/model/agent-api.ts), strict: a missing required
 * field, a wrong type, an unknown enum value or an unknown key is an error. The loopback receiver
 * runs every body it gets through these, so a test fails when the agent sends anything the types
 * do not allow.
 */

type Shape =
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'iso-time'
  | { enum: readonly string[] }
  | { array: Shape }
  | { object: Record<string, Shape>; optional?: readonly string[]; open?: boolean }
  | { union: Shape[]; by: string };

function check(v: unknown, s: Shape, path: string, out: string[]): void {
  if (s === 'string') {
    if (typeof v !== 'string') out.push(`${path}: expected a string`);
  } else if (s === 'number') {
    if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${path}: expected a number`);
  } else if (s === 'integer') {
    if (!Number.isSafeInteger(v)) out.push(`${path}: expected an integer`);
  } else if (s === 'boolean') {
    if (typeof v !== 'boolean') out.push(`${path}: expected a boolean`);
  } else if (s === 'iso-time') {
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v)) || !/^\d{4}-\d\d-\d\dT/.test(v)) out.push(`${path}: expected an ISO-8601 time`);
  } else if ('enum' in s) {
    if (typeof v !== 'string' || !s.enum.includes(v)) out.push(`${path}: expected one of ${s.enum.join(', ')}, got ${JSON.stringify(v)}`);
  } else if ('array' in s) {
    if (!Array.isArray(v)) out.push(`${path}: expected a list`);
    else v.forEach((x, i) => check(x, s.array, `${path}[${i}]`, out));
  } else if ('union' in s) {
    const tag = (v as Record<string, unknown> | null)?.[s.by];
    const variant = s.union.find((u) => typeof u === 'object' && 'object' in u && (u.object[s.by] as { enum: string[] }).enum.includes(String(tag)));
    if (!variant) out.push(`${path}.${s.by}: unknown variant ${JSON.stringify(tag)}`);
    else check(v, variant, path, out);
  } else {
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      out.push(`${path}: expected an object`);
      return;
    }
    const o = v as Record<string, unknown>;
    for (const [k, ks] of Object.entries(s.object)) {
      if (o[k] === undefined) {
        if (!s.optional?.includes(k)) out.push(`${path}.${k}: required`);
      } else check(o[k], ks, `${path}.${k}`, out);
    }
    if (!s.open) for (const k of Object.keys(o)) if (!(k in s.object)) out.push(`${path}.${k}: unknown field`);
  }
}

const CHECK: Shape = { object: { name: 'string', status: { enum: ['pass', 'warn', 'fail'] }, message: 'string' } };
const GPU: Shape = {
  object: { index: 'integer', uuid: 'string', pciBusId: 'string', name: 'string', memoryMiB: 'number', driverVersion: 'string', cudaVersion: 'string' },
  optional: ['driverVersion', 'cudaVersion'],
};
const HOST: Shape = {
  object: { hostname: 'string', kernel: 'string', os: 'string', cpus: 'integer', memoryMiB: 'number', agentVersion: 'string', bootId: 'string' },
  optional: ['kernel', 'os', 'cpus', 'memoryMiB', 'bootId'],
};

export const REGISTER: Shape = {
  object: {
    provider: 'string',
    instanceId: 'string',
    pool: 'string',
    instanceType: 'string',
    region: 'string',
    zone: 'string',
    gpus: { array: GPU },
    host: HOST,
    bootChecks: { array: CHECK },
  },
  optional: ['pool', 'instanceType', 'region', 'zone'],
};

export const HEARTBEAT: Shape = {
  object: {
    seq: 'integer',
    time: 'iso-time',
    gpus: {
      array: {
        object: { index: 'integer', temperatureC: 'number', powerW: 'number', utilizationPct: 'number', memoryUsedMiB: 'number', memoryTotalMiB: 'number' },
        optional: ['temperatureC', 'powerW', 'utilizationPct', 'memoryUsedMiB', 'memoryTotalMiB'],
      },
    },
    host: { object: { cpuPct: 'number', memoryUsedMiB: 'number', memoryTotalMiB: 'number', load1: 'number' }, optional: ['cpuPct', 'memoryUsedMiB', 'memoryTotalMiB', 'load1'] },
  },
};

const ev = (kind: string, fields: Record<string, Shape>, optional: string[] = []): Shape => ({
  object: { kind: { enum: [kind] }, time: 'iso-time', ...fields },
  optional,
});

export const EVENT: Shape = {
  by: 'kind',
  union: [
    ev('xid', { xid: 'integer', gpu: 'integer', pci: 'string', message: 'string' }, ['gpu', 'pci']),
    ev('ecc', { gpu: 'integer', volatileCorrected: 'number', volatileUncorrected: 'number', aggregateCorrected: 'number', aggregateUncorrected: 'number' }),
    ev('remapped-rows', { gpu: 'integer', correctable: 'number', uncorrectable: 'number', pending: 'boolean', failure: 'boolean' }),
    ev('retired-pages', { gpu: 'integer', singleBit: 'number', doubleBit: 'number', pending: 'boolean' }),
    ev('thermal', { gpu: 'integer', temperatureC: 'number', throttleReasons: { array: 'string' } }),
    ev('nvlink', { gpu: 'integer', link: 'integer', state: { enum: ['up', 'down'] }, errors: 'number' }, ['errors']),
    ev('nvml-failure', { gpu: 'integer', call: 'string', error: 'string' }, ['gpu']),
    ev('preemption', { cloud: { enum: ['aws', 'gcp'] }, action: { enum: ['terminate', 'stop', 'hibernate', 'preempted', 'rebalance'] }, at: 'string' }, ['at']),
    ev('diagnostic', { level: 'integer', passed: 'boolean', message: 'string' }),
  ],
};

export const HEALTH: Shape = { object: { id: 'string', seq: 'integer', time: 'iso-time', checks: { array: CHECK }, events: { array: EVENT } } };

export const ACK: Shape = {
  object: { result: { enum: ['ok', 'failed', 'rejected'] }, message: 'string', details: { object: {}, open: true } },
  optional: ['message', 'details'],
};

/** The problems with `body` against `shape`; empty when it conforms. */
export function validate(body: unknown, shape: Shape, name = 'body'): string[] {
  const out: string[] = [];
  check(body, shape, name, out);
  return out;
}
